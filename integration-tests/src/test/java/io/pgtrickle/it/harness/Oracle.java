package io.pgtrickle.it.harness;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The correctness oracle for stream tables: a stream table must hold exactly the multiset of rows its
 * defining query returns right now.
 */
public final class Oracle {

    /** Columns with this prefix are pgtrickle bookkeeping and are not compared. */
    public static final String INTERNAL_COLUMN_PREFIX = "__pgt_";

    private static final int MAX_ROWS_SHOWN = 20;

    private Oracle() {
    }

    /**
     * Asserts multiset equality of the stream table's user columns (in table order) and the defining
     * query's result, using {@code EXCEPT ALL} in both directions over the rows' text forms (so also
     * types without equality compare, and numeric values must carry the same scale).
     *
     * @param streamTable a table name as it may appear in SQL, e.g. {@code public.orders_st}
     * @param definingQuery a SELECT whose columns line up with the user columns of the stream table
     * @throws AssertionError listing the extra and the missing rows (as row literals) on mismatch
     */
    public static void assertStreamTableMatches(Connection c, String streamTable, String definingQuery)
            throws SQLException {
        String query = stripTrailingSemicolons(definingQuery);
        String table = "SELECT " + String.join(", ", userColumns(c, streamTable)) + " FROM " + streamTable;
        // rows compared as their text, so a value that is equal but prints differently (numeric 1.00 and 1)
        // is a difference too: the stream table must give what the query gives
        String tableText = "SELECT __pgt_row::text FROM (" + table + ") AS __pgt_row";
        String queryText = "SELECT __pgt_row::text FROM (" + query + ") AS __pgt_row";
        List<String> extra = rows(c, "(" + tableText + ") EXCEPT ALL (" + queryText + ")");
        List<String> missing = rows(c, "(" + queryText + ") EXCEPT ALL (" + tableText + ")");
        if (!extra.isEmpty() || !missing.isEmpty()) {
            throw new AssertionError("stream table " + streamTable + " does not match its defining query\n"
                    + describe("extra (in the stream table, not in the query)", extra)
                    + describe("missing (in the query, not in the stream table)", missing)
                    + "  query: " + query);
        }
    }

    /** Whether the stream table matches its defining query now (for polling until it does). */
    public static boolean matches(Connection c, String streamTable, String definingQuery) throws SQLException {
        try {
            assertStreamTableMatches(c, streamTable, definingQuery);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Quoted names of the columns not starting with {@value #INTERNAL_COLUMN_PREFIX}, in table order. */
    static List<String> userColumns(Connection c, String streamTable) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM " + streamTable + " WHERE false")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnName(i);
                if (!name.startsWith(INTERNAL_COLUMN_PREFIX)) {
                    columns.add('"' + name.replace("\"", "\"\"") + '"');
                }
            }
        }
        if (columns.isEmpty()) {
            throw new AssertionError("stream table " + streamTable + " has no user columns");
        }
        return columns;
    }

    private static List<String> rows(Connection c, String setQuery) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT d.d FROM (" + setQuery + ") AS d (d) ORDER BY d.d COLLATE \"C\"")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static String describe(String title, List<String> rows) {
        StringBuilder out = new StringBuilder("  ").append(rows.size()).append(" row(s) ").append(title);
        out.append(rows.isEmpty() ? "\n" : ":\n");
        rows.stream().limit(MAX_ROWS_SHOWN).forEach(r -> out.append("    ").append(r).append('\n'));
        if (rows.size() > MAX_ROWS_SHOWN) {
            out.append("    ... ").append(rows.size() - MAX_ROWS_SHOWN).append(" more\n");
        }
        return out.toString();
    }

    private static String stripTrailingSemicolons(String sql) {
        String s = sql.strip();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }
}
