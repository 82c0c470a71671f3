package io.pgtrickle.proxy.intercept;

import io.netty.channel.Channel;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.relay.ProxyConnection;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.frontdoor.ScriptPlan;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simple Query holding pgtrickle calls, answered as PostgreSQL answers a Query: each statement's
 * results in order, processing stops at the first error, and one ReadyForQuery at the end. Several
 * statements are one implicit transaction unless they manage transactions themselves or the client is
 * in a transaction block already. The server produces every result the client sees (for a call, the
 * result query of {@link CallResults}); errors of the engine are sent as ErrorResponse, after the
 * server has aborted the client's transaction block as PostgreSQL would have.
 */
final class Interception implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Interception.class);

    private final Engine engine;
    private final ProxyConnection connection;
    private final Channel client;
    private final UpstreamSession session;
    private final ScriptPlan plan;

    Interception(Engine engine, ProxyConnection connection, BlockingQueue<Frame> answers, ScriptPlan plan) {
        this.engine = engine;
        this.connection = connection;
        this.client = connection.client();
        this.session = new UpstreamSession(connection.upstream(), answers, connection.status());
        this.plan = plan;
    }

    @Override
    public void run() {
        try {
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
                    ok = relayQuiet("COMMIT");
                } else {
                    session.script("ROLLBACK");
                }
            }
            client.writeAndFlush(Messages.readyForQuery(client.alloc(), session.status()));
            client.eventLoop().execute(connection::endInterception);
        } catch (SQLException | RuntimeException e) {
            // the upstream connection is gone or out of step: nothing sensible can follow
            LOG.warn("pgtrickle call failed on the proxy's side: {}", e.toString());
            client.writeAndFlush(Messages.error(client.alloc(), "FATAL", "08006",
                    "pgtrickle proxy: " + e.getMessage())).addListener(f -> client.close());
            connection.upstream().close();
        }
    }

    /** Runs one call and sends its result (or error); false when it failed. */
    private boolean call(ScriptPlan.Part part) throws SQLException {
        Outcome outcome;
        try {
            outcome = engine.run(session, part.call().bind(List.of()));
        } catch (PgTrickleException e) {
            sendError(e.sqlState().code(), e.getMessage(), e.detail(), e.hint());
            return false;
        } catch (PSQLException e) {
            ServerErrorMessage m = e.getServerErrorMessage();
            if (m == null) {
                throw e;
            }
            sendError(m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint());
            return false;
        }
        return relay(CallResults.resultSql(part.call(), outcome));
    }

    /** Sends one statement upstream and its answers (but the ReadyForQuery) to the client; false on error. */
    private boolean relay(String sql) throws SQLException {
        List<Frame> frames = session.exchange(Messages.query(client.alloc(), sql));
        boolean ok = true;
        for (Frame f : frames) {
            if (f.type() == Messages.READY_FOR_QUERY) {
                f.release();
            } else {
                ok &= f.type() != Messages.ERROR_RESPONSE;
                client.write(f.bytes());
            }
        }
        return ok;
    }

    /** Like {@link #relay} but sends only an error (COMMIT's own CommandComplete is not the client's). */
    private boolean relayQuiet(String sql) throws SQLException {
        List<Frame> frames = session.exchange(Messages.query(client.alloc(), sql));
        boolean ok = true;
        for (Frame f : frames) {
            if (f.type() == Messages.ERROR_RESPONSE) {
                ok = false;
                client.write(f.bytes());
            } else {
                f.release();
            }
        }
        return ok;
    }

    /**
     * Sends an engine error as an ErrorResponse. Inside a transaction block the server raises it first
     * (and the answer is dropped), so the block is aborted exactly as the server would abort it.
     */
    private void sendError(String sqlState, String message, String detail, String hint) throws SQLException {
        if (session.inTransactionBlock()) {
            UpstreamSession.release(session.exchangeRaise(sqlState, message, detail, hint));
        }
        Map<Character, String> fields = new LinkedHashMap<>();
        fields.put('S', "ERROR");
        fields.put('V', "ERROR");
        fields.put('C', sqlState);
        fields.put('M', message);
        fields.put('D', detail);
        fields.put('H', hint);
        client.write(Messages.errorResponse(client.alloc(), Messages.ERROR_RESPONSE, fields));
    }
}
