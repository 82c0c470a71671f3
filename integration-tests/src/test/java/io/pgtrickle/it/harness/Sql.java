package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for tests: run SQL, read rows as text, expect a SQLSTATE. */
public final class Sql {
    private Sql() {
    }

    /** Runs each statement on its own. */
    public static void exec(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** The rows of a query, each as its columns joined by " | " (as psql prints them). */
    public static List<String> rows(Connection c, String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** The single value of a query. */
    public static String value(Connection c, String query) throws SQLException {
        List<String> rows = rows(c, query);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    /** Runs the statement, expects it to fail with this SQLSTATE, and returns the exception. */
    public static SQLException fails(Connection c, String sqlState, String statement) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> exec(c, statement));
        assertThat((Throwable) e).as("expected SQLSTATE %s from: %s", sqlState, statement).isNotNull();
        assertThat(e.getSQLState()).as("SQLSTATE of %s (message: %s)", statement, e.getMessage()).isEqualTo(sqlState);
        return e;
    }
}
