package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.sql.catalog.StreamTable;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A FULL refresh of a populated stream table whose storage has a row identity that is a key (the keyed
 * rule's unique identity index, no NULLs in it), as one statement that writes only what differs: rows
 * the query no longer gives deleted, rows that changed updated, new ones inserted, matched by identity.
 * Deleting and inserting every row instead costs about twice a FULL table's refresh, since each row
 * goes through the unique index again next to its own dead predecessor (docs/benchmarks.md, "AUTO at
 * high change rates"); the merge reads the query and the storage once each and writes the difference.
 * All CTEs see the storage before the statement, so the three writes never touch the same row.
 */
final class Recompute {
    private Recompute() {
    }

    /** The merge statement for {@code st} recomputed by {@code query}, or empty when the storage has no such identity. */
    static Optional<String> merge(Session session, StreamTable st, String query) throws SQLException {
        Row r = session.queryOne("SELECT (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
                + "WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns, "
                + "(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM pg_catalog.pg_index i "
                + "CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                + "WHERE i.indrelid = ?::oid AND i.indisunique AND NOT i.indnullsnotdistinct "
                + "AND pg_catalog.obj_description(i.indexrelid, 'pg_class') = ?) AS identity",
                st.relid(), st.relid(), Differential.IDENTITY_INDEX);
        if (r.get("identity") == null || r.get("columns") == null) {
            return Optional.empty();
        }
        List<String> columns = Identifiers.parseTextArray(r.get("columns"));
        List<String> identity = Identifiers.parseTextArray(r.get("identity"));
        List<String> others = columns.stream().filter(c -> !identity.contains(c)).toList();
        String table = st.quotedName();
        String match = identity.stream().map(k -> "t." + quote(k) + " = n." + quote(k)).collect(Collectors.joining(" AND "));
        StringBuilder sql = new StringBuilder("WITH n AS MATERIALIZED (SELECT * FROM (\n").append(query).append("\n) AS q (")
                .append(columns.stream().map(Identifiers::quote).collect(Collectors.joining(", "))).append(")),\n")
                .append("del AS (DELETE FROM ").append(table).append(" t WHERE NOT EXISTS (SELECT 1 FROM n WHERE ")
                .append(match).append(") RETURNING 1),\n");
        String updated = "0";
        if (!others.isEmpty()) {
            sql.append("upd AS (UPDATE ").append(table).append(" AS t SET ")
                    .append(others.stream().map(c -> quote(c) + " = n." + quote(c)).collect(Collectors.joining(", ")))
                    .append(" FROM n WHERE ").append(match).append(" AND (")
                    .append(others.stream().map(c -> "t." + quote(c)).collect(Collectors.joining(", ")))
                    .append(") IS DISTINCT FROM (")
                    .append(others.stream().map(c -> "n." + quote(c)).collect(Collectors.joining(", ")))
                    .append(") RETURNING 1),\n");
            updated = "(SELECT count(*) FROM upd)";
        }
        sql.append("ins AS (INSERT INTO ").append(table).append(" SELECT * FROM n WHERE NOT EXISTS (SELECT 1 FROM ")
                .append(table).append(" t WHERE ").append(match).append(") RETURNING 1)\n")
                .append("SELECT (SELECT count(*) FROM del) + ").append(updated).append(" AS deleted, (SELECT count(*) FROM ins) + ")
                .append(updated).append(" AS inserted, pg_catalog.pg_current_snapshot()::text AS snapshot");
        return Optional.of(sql.toString());
    }
}
