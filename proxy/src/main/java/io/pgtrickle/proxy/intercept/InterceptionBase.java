package io.pgtrickle.proxy.intercept;

import io.netty.channel.Channel;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.relay.ProxyConnection;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.error.PgTrickleException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every interception shares: the client's upstream session for the engine, errors sent as the
 * server would send them, and the hand-back to the relay with one ReadyForQuery at the end.
 */
abstract class InterceptionBase implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(InterceptionBase.class);

    final Engine engine;
    final ProxyConnection connection;
    final Channel client;
    final UpstreamSession session;

    InterceptionBase(Engine engine, ProxyConnection connection, BlockingQueue<Frame> answers) {
        this.engine = engine;
        this.connection = connection;
        this.client = connection.client();
        this.session = new UpstreamSession(connection.upstream(), answers, connection.status());
    }

    /** Answers the client; the ReadyForQuery and the return to relaying are done here. */
    abstract void answer() throws SQLException;

    /** Whether the client's messages answered end with Sync or Query (answered with ReadyForQuery). */
    boolean endsWithSync() {
        return true;
    }

    /** Whether answering stopped at an error (only asked when not {@link #endsWithSync()}). */
    boolean failed() {
        return false;
    }

    @Override
    public final void run() {
        try {
            answer();
            char status = session.status();
            if (endsWithSync()) {
                client.writeAndFlush(Messages.readyForQuery(client.alloc(), status));
                client.eventLoop().execute(() -> connection.endInterception(status));
            } else { // answered at a Flush: the client's Sync is still to come
                boolean skip = failed();
                client.flush();
                client.eventLoop().execute(() -> connection.endInterceptionAtFlush(status, skip));
            }
        } catch (SQLException e) {
            // the upstream connection is gone or out of step: nothing sensible can follow
            LOG.warn("pgtrickle call failed on the proxy's side: {}", e.toString());
            endSession("08006", e.getMessage());
        } catch (Throwable e) { // a defect: the client must still hear of it, never wait forever
            LOG.error("pgtrickle call failed on the proxy's side", e);
            endSession("XX000", e.toString());
        }
    }

    /** Tells the client why its session ends (FATAL), then closes both connections. */
    private void endSession(String sqlState, String message) {
        client.writeAndFlush(Messages.error(client.alloc(), "FATAL", sqlState, "pgtrickle proxy: " + message))
                .addListener(f -> client.close());
        connection.upstream().close();
    }

    /**
     * Sends the server's answers to the client, all but the ReadyForQuery (one is sent at the end);
     * false when one of them was an error. Takes the frames.
     */
    boolean forward(java.util.List<Frame> answers) {
        boolean ok = true;
        for (Frame f : answers) {
            if (f.type() == Messages.READY_FOR_QUERY) {
                f.release();
            } else {
                ok &= f.type() != Messages.ERROR_RESPONSE;
                client.write(f.bytes());
            }
        }
        return ok;
    }

    /**
     * Runs a command; on failure sends the ErrorResponse and returns null. Server errors other than
     * an ErrorResponse (a lost connection) propagate.
     */
    Outcome runOrReport(Command command) throws SQLException {
        try {
            return engine.run(session, command);
        } catch (PgTrickleException e) {
            sendError(e.sqlState().code(), e.getMessage(), e.detail(), e.hint());
        } catch (PSQLException e) {
            ServerErrorMessage m = e.getServerErrorMessage();
            if (m == null) {
                throw e;
            }
            sendError(m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint());
        }
        return null;
    }

    /** Binds a recognised call; on bad arguments sends the ErrorResponse and returns null. */
    Command bindOrReport(io.pgtrickle.sql.recognize.Call call, java.util.List<String> values) throws SQLException {
        try {
            return call.bind(values);
        } catch (PgTrickleException e) {
            sendError(e.sqlState().code(), e.getMessage(), e.detail(), e.hint());
            return null;
        }
    }

    /**
     * Sends an error as an ErrorResponse. Inside a transaction block the server raises it first (its
     * answer is dropped), so the block is aborted exactly as the server would abort it.
     */
    void sendError(String sqlState, String message, String detail, String hint) throws SQLException {
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
