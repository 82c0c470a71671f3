package io.pgtrickle.sql.session;

import java.sql.SQLException;
import java.util.List;

/**
 * The engine's view of a PostgreSQL session: the caller's own connection, so everything runs as
 * the calling user and inside the caller's transaction (DESIGN §1). Parameters are written
 * {@code ?} and bound as text (or typed Java values: String, Long, Integer, Boolean, null); a statement
 * without parameters is sent as it is, so a {@code ?} in it is PostgreSQL's operator (jsonb's key test in
 * a user's query), not a placeholder.
 * Server errors surface as SQLException with the server's SQLSTATE.
 */
public interface Session {

    /** Runs one statement and returns its rows as text. */
    List<Row> query(String sql, Object... params) throws SQLException;

    /** Runs one statement and returns the affected row count. */
    long update(String sql, Object... params) throws SQLException;

    /** Runs a script of one or more statements without parameters. */
    void script(String sql) throws SQLException;

    /**
     * Runs a script of statements without parameters in one round trip and returns each statement's
     * rows, in order (an empty list for a statement that returns none). The statements run one after
     * the other, so a setting one of them changes applies to the ones after it, parsing included.
     */
    List<List<Row>> results(String sql) throws SQLException;

    /** True inside a transaction block (BEGIN ... COMMIT), also a failed one. */
    boolean inTransactionBlock() throws SQLException;

    /** The single row of a query, or an IllegalStateException. */
    default Row queryOne(String sql, Object... params) throws SQLException {
        List<Row> rows = query(sql, params);
        if (rows.size() != 1) {
            throw new IllegalStateException("expected one row, got " + rows.size() + " from " + sql);
        }
        return rows.get(0);
    }
}
