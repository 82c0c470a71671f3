package io.pgtrickle.sql.engine;

import io.pgtrickle.sql.catalog.CatalogInstaller;
import io.pgtrickle.sql.command.AlterStreamTable;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.command.CreateStreamTable;
import io.pgtrickle.sql.command.DropStreamTable;
import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.command.ResumeStreamTable;
import io.pgtrickle.sql.command.ValidateQuery;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes pgtrickle commands over a caller's session (DESIGN §1). A call is all or nothing: outside
 * a transaction block it runs in a transaction of its own; inside the caller's block it runs in a
 * savepoint, so a failed call leaves the caller's earlier work and the database as they were and a
 * rolled-back caller leaves nothing. The catalog is installed or upgraded first when needed.
 */
public final class Engine {
    private static final String SAVEPOINT = "pgtrickle_call";

    public Outcome run(Session session, Command command) throws SQLException {
        boolean own = !session.inTransactionBlock();
        if (own) {
            CatalogInstaller.STANDARD.ensureAutonomously(session);
            session.script("BEGIN");
        } else {
            session.script("SAVEPOINT " + SAVEPOINT);
        }
        List<Notice> notices = new ArrayList<>();
        Lifecycle lifecycle = new Lifecycle(session, notices);
        try {
            if (!own) {
                CatalogInstaller.STANDARD.ensureInBlock(session);
            }
            List<List<String>> rows = dispatch(session, lifecycle, command);
            session.script(own ? "COMMIT" : "RELEASE SAVEPOINT " + SAVEPOINT);
            return new Outcome(notices, rows);
        } catch (SQLException | RuntimeException e) {
            undo(session, own, e);
            if (own && lifecycle.failedRefresh() != null) {
                recordFailure(session, lifecycle.failedRefresh(), command instanceof RefreshStreamTable r && r.scheduled()
                        ? Refresher.Initiator.SCHEDULER : Refresher.Initiator.MANUAL, e);
            }
            throw e;
        }
    }

    /** Runs the command; the rows it returns (none for the void calls). */
    private static List<List<String>> dispatch(Session session, Lifecycle lifecycle, Command command) throws SQLException {
        if (command instanceof ValidateQuery v) {
            return Validation.run(session, v.query());
        }
        if (command instanceof CreateStreamTable c) {
            lifecycle.create(c);
        } else if (command instanceof AlterStreamTable c) {
            lifecycle.alter(c);
        } else if (command instanceof DropStreamTable c) {
            lifecycle.drop(c);
        } else if (command instanceof RefreshStreamTable c) {
            lifecycle.refresh(c);
        } else if (command instanceof ResumeStreamTable c) {
            lifecycle.resume(c);
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return List.of();
    }

    /**
     * Records a scheduled refresh of stream table {@code pgtId} that failed outside the engine's own
     * transaction (the scheduler cannot act as its owner, or it failed in a diamond group's transaction,
     * now rolled back), as the engine records a failed refresh: history, error count, suspension after
     * three, alert. Runs in a transaction of its own on {@code session}.
     */
    public void recordScheduledFailure(Session session, long pgtId, Exception e) {
        recordFailure(session, pgtId, Refresher.Initiator.SCHEDULER, e);
    }

    /**
     * Deletes the buffered changes every reader has applied from the buffers these stream tables read,
     * in a transaction of its own: after refreshes in REPEATABLE READ, which leave that to a later one.
     */
    public void cleanUpBuffers(Session session, List<Long> pgtIds) throws SQLException {
        Refresher.cleanUp(session, pgtIds);
    }

    /**
     * A failed manual refresh is recorded when the call had its own transaction. Inside the caller's
     * block it cannot be: the caller's transaction is aborted, and with it anything written now.
     */
    private static void recordFailure(Session session, long pgtId, Refresher.Initiator initiator, Exception e) {
        String sqlState = e instanceof PgTrickleException p ? p.sqlState().code()
                : e instanceof SQLException s ? s.getSQLState() : SqlState.INTERNAL_ERROR.code();
        try {
            String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getMessage() : e.getMessage();
            Refresher.recordFailure(session, pgtId, initiator, sqlState, message);
        } catch (SQLException | RuntimeException recordingFailure) {
            e.addSuppressed(recordingFailure);
        }
    }

    private static void undo(Session session, boolean own, Exception cause) {
        try {
            session.script(own ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT);
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
