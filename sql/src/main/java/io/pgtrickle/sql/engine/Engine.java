package io.pgtrickle.sql.engine;

import io.pgtrickle.sql.catalog.CatalogInstaller;
import io.pgtrickle.sql.command.AlterStreamTable;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.command.CreateStreamTable;
import io.pgtrickle.sql.command.DropStreamTable;
import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.command.ResumeStreamTable;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
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
            CatalogInstaller.ensureAutonomously(session);
            session.script("BEGIN");
        } else {
            session.script("SAVEPOINT " + SAVEPOINT);
        }
        try {
            if (!own) {
                CatalogInstaller.ensureInBlock(session);
            }
            List<Notice> notices = new ArrayList<>();
            dispatch(new Lifecycle(session, notices), command);
            session.script(own ? "COMMIT" : "RELEASE SAVEPOINT " + SAVEPOINT);
            return new Outcome(notices);
        } catch (SQLException | RuntimeException e) {
            undo(session, own, e);
            throw e;
        }
    }

    private static void dispatch(Lifecycle lifecycle, Command command) throws SQLException {
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
    }

    private static void undo(Session session, boolean own, Exception cause) {
        try {
            session.script(own ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT " + SAVEPOINT + "; RELEASE SAVEPOINT " + SAVEPOINT);
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
