package io.pgtrickle.jdbc;

import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.recognize.Call;
import io.pgtrickle.sql.session.JdbcSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runs a recognised pgtrickle call on the physical connection and shapes what the client sees
 * like PostgreSQL would: the result is produced by the server itself (a query returning the void
 * column, with the call's notices raised as real NOTICE/WARNING messages), and an error inside a
 * transaction block is raised by the server too, so the block is aborted exactly as it would be.
 */
final class CallExecutor {
    private final Connection physical;
    private final Engine engine = new Engine();

    CallExecutor(Connection physical) {
        this.physical = physical;
    }

    /** Executes the call; on failure throws the SQLException PostgreSQL would have thrown. */
    Outcome run(Call call, List<String> parameterValues) throws SQLException {
        JdbcSession session = new JdbcSession(physical);
        boolean inBlock = session.inTransactionBlock();
        try {
            return engine.run(session, call.bind(parameterValues));
        } catch (PgTrickleException e) {
            throw report(inBlock, e.sqlState().code(), e.getMessage(), e.detail(), e.hint());
        } catch (PSQLException e) {
            ServerErrorMessage m = e.getServerErrorMessage();
            if (!inBlock || m == null || !session.inTransactionBlock()) {
                throw e;
            }
            throw report(true, m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint());
        }
    }

    /**
     * The exception for a failed call. Inside a transaction block the server raises it, which
     * aborts the block as PostgreSQL would; otherwise it is made here with the same fields.
     */
    private SQLException report(boolean inBlock, String sqlState, String message, String detail, String hint) {
        PSQLException local = new PSQLException(new ServerErrorMessage(fields(sqlState, message, detail, hint)));
        if (!inBlock) {
            return local;
        }
        try (PreparedStatement ps = physical.prepareStatement(CallResults.RAISE_SQL)) {
            ps.setString(1, sqlState);
            ps.setString(2, message);
            ps.setString(3, detail);
            ps.setString(4, hint);
            ps.execute();
        } catch (PSQLException raised) {
            ServerErrorMessage m = raised.getServerErrorMessage();
            if (m != null && sqlState.equals(m.getSQLState())) {
                return raised;
            }
        } catch (SQLException other) {
            local.addSuppressed(other);
        }
        return local;
    }

    private static String fields(String sqlState, String message, String detail, String hint) {
        StringBuilder sb = new StringBuilder("SERROR\0VERROR\0C").append(sqlState).append("\0M").append(message);
        if (detail != null && !detail.isEmpty()) {
            sb.append("\0D").append(detail);
        }
        if (hint != null && !hint.isEmpty()) {
            sb.append("\0H").append(hint);
        }
        return sb.append('\0').toString();
    }
}
