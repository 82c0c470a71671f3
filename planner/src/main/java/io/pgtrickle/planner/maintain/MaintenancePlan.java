package io.pgtrickle.planner.maintain;

import java.util.List;
import java.util.Map;

/**
 * How a stream table is maintained differentially: the hidden columns its storage table carries, the
 * query that fills the storage from scratch, and the one statement that applies a refresh window.
 *
 * @param rule which delta rule the statement applies
 * @param hiddenColumns the {@code __pgt_} columns after the user's, with their types
 * @param populateQuery the defining query with the hidden columns added: what a FULL refresh inserts
 *     (its columns are the user's, then the hidden ones)
 * @param indexes the indexes the refresh finds stored rows by: first the row identity (unique), then
 *     the key of each further table of a join; for a source without a primary key {@code __pgt_row_hash}
 *     (not unique)
 * @param deltaStatement one statement that applies every change in the window to the storage table and
 *     answers one row: {@code inserted}, {@code updated}, {@code deleted}, {@code missing} (rows to
 *     delete that were not found in the storage: the storage had drifted, and the caller must undo the
 *     statement and recompute) and {@code snapshot} (the statement's {@code pg_current_snapshot()}, the
 *     new frontier)
 * @param bufferColumns the columns the delta statement reads from each source's change buffer, by the
 *     source's qualified name, in the source's column order: what capture must copy for it
 */
public record MaintenancePlan(Rule rule, List<Column> hiddenColumns, List<Index> indexes, String populateQuery,
        String deltaStatement, Map<String, List<String>> bufferColumns) {

    /** The delta rules (docs/architecture.md, decisions o and p). */
    public enum Rule {
        /** select-project-join over keyed tables: the rows of changed keys recomputed ({@link KeyedDelta}) */
        KEYS_RECOMPUTED,
        /** a select-project-join counted row by row: net counts of result rows ({@link CountedDelta}) */
        IMAGES_COUNTED,
        /** a grouped query: the groups of changed rows recomputed from the source ({@link AggregateDelta}) */
        GROUPS_RECOMPUTED,
        /** a grouped query of COUNT, SUM and AVG: groups maintained from the changes ({@link AlgebraicAggregateDelta}) */
        GROUPS_FROM_CHANGES
    }

    /** A hidden column. */
    public record Column(String name, String type) {
    }

    /** An index on storage columns (names as stored); a unique one may treat NULLs as equal (group keys). */
    public record Index(List<String> columns, boolean unique, boolean nullsNotDistinct) {
        public Index {
            columns = List.copyOf(columns);
        }

        public Index(List<String> columns, boolean unique) {
            this(columns, unique, false);
        }
    }

    public MaintenancePlan {
        hiddenColumns = List.copyOf(hiddenColumns);
        indexes = List.copyOf(indexes);
        bufferColumns = Map.copyOf(bufferColumns);
    }

    /** A plan whose buffer columns are still to be told ({@link #withBufferColumns}). */
    MaintenancePlan(Rule rule, List<Column> hiddenColumns, List<Index> indexes, String populateQuery, String deltaStatement) {
        this(rule, hiddenColumns, indexes, populateQuery, deltaStatement, Map.of());
    }

    MaintenancePlan withBufferColumns(Map<String, List<String>> columns) {
        return new MaintenancePlan(rule, hiddenColumns, indexes, populateQuery, deltaStatement, columns);
    }
}
