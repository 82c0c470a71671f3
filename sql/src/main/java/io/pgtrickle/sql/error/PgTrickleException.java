package io.pgtrickle.sql.error;

/**
 * An error pgtrickle reports to the client as PostgreSQL would: a SQLSTATE, a primary message,
 * and optional detail and hint. Front doors turn it into a real server error
 * (so the client's transaction state is exactly what PostgreSQL would leave).
 */
public class PgTrickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SqlState sqlState;
    private final String detail;
    private final String hint;

    public PgTrickleException(SqlState sqlState, String message) {
        this(sqlState, message, null, null);
    }

    public PgTrickleException(SqlState sqlState, String message, String detail, String hint) {
        super(message);
        this.sqlState = sqlState;
        this.detail = detail;
        this.hint = hint;
    }

    public SqlState sqlState() {
        return sqlState;
    }

    /** DETAIL field, or null. */
    public String detail() {
        return detail;
    }

    /** HINT field, or null. */
    public String hint() {
        return hint;
    }
}
