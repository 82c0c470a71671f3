package io.pgtrickle.planner.maintain;

import io.pgtrickle.planner.catalog.PgRelation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the maintenance SQL writes and reads: the stream table's storage table (which also finds its
 * catalog row), the names of its user columns (as PostgreSQL named them, in order), and the change
 * buffer of each source. Everything is named, not numbered by oid, so the SQL survives a dump and restore.
 *
 * @param storageSchema the storage table's schema
 * @param storageName the storage table's name
 * @param columns the storage table's user columns in the query's order, or null to take the names
 *     the planner derived (tests)
 * @param compareRows whether every user column's type has an equality operator, so an update that
 *     changes nothing can be left out (json, xml and geometric types have none)
 * @param hashableRows whether every user column's type also has an extended hash function, so rows
 *     can be found by a hash of their values (needed for a source without a primary key)
 * @param buffers the change buffer table (in {@code pgtrickle_changes}) of each source, by the
 *     source's qualified name ({@code PgRelation.qualifiedName()})
 * @param referenced the columns the defining query references of each source, by qualified name, as
 *     PostgreSQL's dependency records of the query give them (views followed down); a source not in it
 *     is read whole. The maintenance SQL reads only these and the primary key from a buffer, so
 *     buffers capture no more (decision z of docs/architecture.md).
 */
public record Target(String storageSchema, String storageName, List<String> columns,
        boolean compareRows, boolean hashableRows, Map<String, String> buffers, Map<String, Set<String>> referenced) {

    public Target {
        columns = columns == null ? null : List.copyOf(columns);
        buffers = Map.copyOf(buffers);
        referenced = Map.copyOf(referenced);
    }

    /** A target whose sources are all read whole (tests). */
    public Target(String storageSchema, String storageName, List<String> columns, boolean compareRows,
            boolean hashableRows, Map<String, String> buffers) {
        this(storageSchema, storageName, columns, compareRows, hashableRows, buffers, Map.of());
    }

    /**
     * The columns of {@code relation} the maintenance SQL may read from its buffer and from the images it
     * stands for: those the query references and the primary key, in the relation's order; every column
     * when the references are not known.
     */
    public List<String> readable(PgRelation relation) {
        Set<String> used = referenced.get(relation.qualifiedName());
        return relation.columns().stream().map(c -> c.name())
                .filter(c -> used == null || used.contains(c) || relation.primaryKey().contains(c)).toList();
    }
}
