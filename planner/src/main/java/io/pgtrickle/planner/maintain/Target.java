package io.pgtrickle.planner.maintain;

import java.util.List;
import java.util.Map;

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
 */
public record Target(String storageSchema, String storageName, List<String> columns,
        boolean compareRows, boolean hashableRows, Map<String, String> buffers) {

    public Target {
        columns = columns == null ? null : List.copyOf(columns);
        buffers = Map.copyOf(buffers);
    }
}
