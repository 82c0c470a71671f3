package io.pgtrickle.it.harness;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a database looks like to pgtrickle, as comparable text: lets a test assert "nothing changed"
 * with {@code assertThat(CatalogSnapshot.capture(c)).isEqualTo(before)} after a call that must fail
 * cleanly.
 *
 * <p>Captured, each as sorted lines: schemas; relations (name and relkind) outside {@code pg_catalog},
 * {@code information_schema} and {@code pg_toast}; their columns; non-internal triggers with their table
 * and function; functions in non-system schemas (with identity arguments, kind and an md5 of the body);
 * every row (as a row literal) of every table in the schemas {@code pgtrickle} and
 * {@code pgtrickle_changes}, if they exist.
 *
 * <p>Deliberately not captured, because it changes without anybody changing the schema: sequence values,
 * the per-session temp schemas {@code pg_temp_N}/{@code pg_toast_temp_N} and their contents, OIDs, toast
 * relations, statistics and sizes.
 */
public final class CatalogSnapshot {

    /** Schemas whose table contents are captured row by row. */
    public static final List<String> CONTENT_SCHEMAS = List.of("pgtrickle", "pgtrickle_changes");

    private static final String NOT_TEMP = " !~ '^pg_(toast_)?temp_[0-9]+$'";
    private static final String USER_SCHEMA = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname" + NOT_TEMP;

    private static final String NAMESPACES =
            "SELECT nspname FROM pg_namespace WHERE nspname" + NOT_TEMP;
    private static final String RELATIONS =
            "SELECT format('%I.%I relkind=%s', n.nspname, c.relname, c.relkind)"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE " + USER_SCHEMA;
    private static final String COLUMNS =
            "SELECT format('%I.%I.%I %s%s', n.nspname, c.relname, a.attname,"
            + " format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' not null' ELSE '' END)"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE " + USER_SCHEMA + " AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')";
    private static final String TRIGGERS =
            "SELECT format('%I.%I trigger %I -> %s enabled=%s', n.nspname, c.relname, t.tgname,"
            + " t.tgfoid::regprocedure, t.tgenabled)"
            + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE NOT t.tgisinternal";
    private static final String FUNCTIONS =
            "SELECT format('%I.%I(%s) prokind=%s body=%s', n.nspname, p.proname,"
            + " pg_get_function_identity_arguments(p.oid), p.prokind, md5(coalesce(p.prosrc, '')))"
            + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            + " WHERE " + USER_SCHEMA;
    private static final String CONTENT_TABLES =
            "SELECT format('%I.%I', n.nspname, c.relname)"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ANY (?) AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            + " ORDER BY 1";

    private final Map<String, List<String>> sections;

    private CatalogSnapshot(Map<String, List<String>> sections) {
        this.sections = Collections.unmodifiableMap(sections);
    }

    /** Reads the snapshot through {@code c}; it sees what {@code c}'s transaction sees. */
    public static CatalogSnapshot capture(Connection c) throws SQLException {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        sections.put("namespaces", lines(c, NAMESPACES));
        sections.put("relations", lines(c, RELATIONS));
        sections.put("columns", lines(c, COLUMNS));
        sections.put("triggers", lines(c, TRIGGERS));
        sections.put("functions", lines(c, FUNCTIONS));
        for (String table : contentTables(c)) {
            sections.put("rows of " + table, lines(c, "SELECT t::text FROM " + table + " t"));
        }
        return new CatalogSnapshot(sections);
    }

    /** The captured sections in a fixed order; each is a list of lines. */
    public Map<String, List<String>> sections() {
        return sections;
    }

    private static List<String> contentTables(Connection c) throws SQLException {
        try (var ps = c.prepareStatement(CONTENT_TABLES)) {
            ps.setArray(1, c.createArrayOf("text", CONTENT_SCHEMAS.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                return collect(rs);
            }
        }
    }

    /** Runs a query returning one text column and sorts its lines bytewise. */
    private static List<String> lines(Connection c, String sql) throws SQLException {
        String sorted = "SELECT line FROM (" + sql + ") AS q(line) ORDER BY line COLLATE \"C\"";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sorted)) {
            return collect(rs);
        }
    }

    private static List<String> collect(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
            out.add(rs.getString(1));
        }
        return List.copyOf(out);
    }

    /**
     * The lines that differ from {@code before}, per section: {@code +} for lines only in this snapshot,
     * {@code -} for lines only in {@code before}. Empty when the snapshots are equal.
     */
    public String diff(CatalogSnapshot before) {
        StringBuilder out = new StringBuilder();
        Map<String, List<String>> all = new LinkedHashMap<>(before.sections);
        all.putAll(sections);
        all.keySet().forEach(section -> {
            List<String> was = before.sections.getOrDefault(section, List.of());
            List<String> now = sections.getOrDefault(section, List.of());
            List<String> changes = new ArrayList<>();
            was.stream().filter(line -> !now.contains(line)).forEach(line -> changes.add("  - " + line));
            now.stream().filter(line -> !was.contains(line)).forEach(line -> changes.add("  + " + line));
            if (!changes.isEmpty()) {
                out.append("[").append(section).append("]\n");
                changes.forEach(line -> out.append(line).append('\n'));
            }
        });
        if (out.length() == 0 && !equals(before)) {
            out.append("(the same lines, but some occur a different number of times)\n");
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogSnapshot && ((CatalogSnapshot) o).sections.equals(sections);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sections);
    }

    /** One line per entry under its section header, so a failed equality shows a readable diff. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("CatalogSnapshot\n");
        sections.forEach((section, lines) -> {
            out.append("[").append(section).append("]\n");
            lines.forEach(line -> out.append("  ").append(line).append('\n'));
        });
        return out.toString();
    }
}
