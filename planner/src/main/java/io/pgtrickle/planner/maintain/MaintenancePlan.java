package io.pgtrickle.planner.maintain;

import java.util.List;

/**
 * How a stream table is maintained differentially: the hidden columns its storage table carries, the
 * query that fills the storage from scratch, and the one statement that applies a refresh window.
 *
 * @param hiddenColumns the {@code __pgt_} columns after the user's, with their types
 * @param keyColumns the storage columns (user or hidden) that are the row identity, to carry a unique index
 * @param populateQuery the defining query with the hidden columns added: what a FULL refresh inserts
 *     (its columns are the user's, then the hidden ones)
 * @param deltaStatement one statement that applies every change in the window to the storage table and
 *     answers one row: {@code inserted}, {@code updated}, {@code deleted} and {@code snapshot} (the
 *     statement's {@code pg_current_snapshot()}, the new frontier)
 */
public record MaintenancePlan(List<Column> hiddenColumns, List<String> keyColumns, String populateQuery, String deltaStatement) {

    /** A hidden column. */
    public record Column(String name, String type) {
    }

    public MaintenancePlan {
        hiddenColumns = List.copyOf(hiddenColumns);
        keyColumns = List.copyOf(keyColumns);
    }
}
