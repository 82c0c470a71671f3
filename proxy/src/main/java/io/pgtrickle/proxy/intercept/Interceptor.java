package io.pgtrickle.proxy.intercept;

import io.netty.buffer.Unpooled;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.relay.ProxyConnection;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.frontdoor.ScriptPlan;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Decides which client messages hold pgtrickle calls and answers them. The engine's work blocks on
 * the database, so it runs on threads of its own, never on an event loop (DESIGN §6).
 */
public final class Interceptor implements AutoCloseable {
    /** Put in an interception's queue when the upstream connection closes. */
    public static final Frame CONNECTION_LOST = new Frame((byte) 0, Unpooled.EMPTY_BUFFER);

    private final Engine engine = new Engine();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pgtrickle-call");
        t.setDaemon(true);
        return t;
    });

    /** True for a Query message that holds a pgtrickle call (a cheap test first: most hold none). */
    public boolean wants(Frame query) {
        return Messages.mentions(query, "pgtrickle") && ScriptPlan.of(Messages.queryText(query)).isPresent();
    }

    /** True for an extended-protocol message that is a pgtrickle call or names one the proxy answered. */
    public boolean startsBatch(ProxyConnection connection, Frame frame) {
        return connection.preparedCalls.names(frame);
    }

    /**
     * Answers an extended-protocol batch (up to and including its Sync) holding pgtrickle calls, as the
     * server would answer it. Takes the frames. {@code afterUnsynced}: how many earlier messages of the
     * same batch were relayed to the server already (their answers are still to come).
     */
    public void interceptBatch(ProxyConnection connection, List<Frame> batch, int afterUnsynced) {
        LinkedBlockingQueue<Frame> answers = new LinkedBlockingQueue<>();
        connection.beginInterception(answers);
        workers.execute(new BatchInterception(engine, connection, answers, batch, afterUnsynced));
    }

    /**
     * Answers a Query with calls: stops relaying for this session, runs the statements on the
     * client's upstream connection, answers the client, then resumes relaying. Takes the frame.
     */
    public void intercept(ProxyConnection connection, Frame query) {
        String sql = Messages.queryText(query);
        query.release();
        ScriptPlan plan = ScriptPlan.of(sql).orElseThrow();
        LinkedBlockingQueue<Frame> answers = new LinkedBlockingQueue<>();
        connection.beginInterception(answers);
        workers.execute(new Interception(engine, connection, answers, plan));
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
