package io.pgtrickle.proxy.intercept;

import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.relay.ProxyConnection;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.frontdoor.ScriptPlan;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/**
 * One simple Query holding pgtrickle calls, answered as PostgreSQL answers a Query: each statement's
 * results in order, processing stops at the first error, and one ReadyForQuery at the end. Several
 * statements are one implicit transaction unless they manage transactions themselves or the client is
 * in a transaction block already. The server produces every result the client sees (for a call, the
 * result query of {@link CallResults}); errors of the engine are sent as ErrorResponse, after the
 * server has aborted the client's transaction block as PostgreSQL would have.
 */
final class Interception extends InterceptionBase {
    private final ScriptPlan plan;

    Interception(Engine engine, ProxyConnection connection, BlockingQueue<Frame> answers, ScriptPlan plan) {
        super(engine, connection, answers);
        this.plan = plan;
    }

    @Override
    void answer() throws SQLException {
        boolean implicit = !plan.single() && !session.inTransactionBlock() && !plan.controlsTransactions();
        if (implicit) {
            session.script("BEGIN");
        }
        boolean ok = true;
        for (ScriptPlan.Part part : plan.parts()) {
            ok = part.isCall() ? call(part) : relay(part.sql());
            if (!ok) {
                break;
            }
        }
        if (implicit) {
            if (ok) {
                relayErrorOnly("COMMIT");
            } else {
                session.script("ROLLBACK");
            }
        }
    }

    /** Runs one call and sends its result (or error); false when it failed. */
    private boolean call(ScriptPlan.Part part) throws SQLException {
        Command command = bindOrReport(part.call(), List.of());
        Outcome outcome = command == null ? null : runOrReport(command);
        return outcome != null && relay(CallResults.resultSql(part.call(), outcome));
    }

    /** Sends one statement upstream and its answers (but the ReadyForQuery) to the client; false on error. */
    private boolean relay(String sql) throws SQLException {
        return forward(session.exchange(Messages.query(client.alloc(), sql)));
    }

    /** Runs a statement whose answers are not the client's, except an error. */
    private void relayErrorOnly(String sql) throws SQLException {
        for (Frame f : session.exchange(Messages.query(client.alloc(), sql))) {
            if (f.type() == Messages.ERROR_RESPONSE) {
                client.write(f.bytes());
            } else {
                f.release();
            }
        }
    }
}
