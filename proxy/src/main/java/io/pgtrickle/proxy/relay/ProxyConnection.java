package io.pgtrickle.proxy.relay;

import io.netty.channel.Channel;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.intercept.PreparedCalls;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.FrameRun;
import io.pgtrickle.proxy.protocol.Messages;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;

/**
 * The state of one client's session through the proxy: its channel, its upstream channel, the
 * transaction status from the last ReadyForQuery, how many ReadyForQuery the server still owes, and
 * whether an intercepted call is running. Both channels share one event loop, which is the only thread
 * that touches this state; an interception thread only hands work back to it.
 */
public final class ProxyConnection {
    final ProxySettings settings;
    final Channel client;
    final Interceptor interceptor;
    Channel upstream;
    /** Transaction status from the server's last ReadyForQuery: 'I', 'T' or 'E'. */
    volatile char status = 'I';
    /** Query/Sync/FunctionCall messages relayed upstream whose ReadyForQuery has not come back. */
    int pendingReady;
    /** Client messages held back while an interception runs or waits for the server to be ready. */
    final Queue<Frame> held = new ArrayDeque<>();
    /** Where upstream messages go while an interception runs; null while relaying. */
    BlockingQueue<Frame> interception;
    boolean clientTerminated;
    /** The server's last words relayed were a FATAL error: the client knows why the connection ends. */
    boolean fatalRelayed;
    /** The server sent its first ReadyForQuery: startup and authentication are over. */
    volatile boolean loggedIn;
    /** Extended-protocol messages relayed upstream since the last Sync (or Query) that the server answers (not Flush). */
    int unsynced;
    /** Messages of the batch being collected that were relayed to the server before it began (no Sync yet). */
    int batchAfterUnsynced;
    /** Client messages of an extended-protocol batch with pgtrickle calls, collected until its Sync; or null. */
    java.util.List<Frame> batch;
    /** Prepared statements and portals that are pgtrickle calls, answered by the proxy (the server never saw them). */
    public final PreparedCalls preparedCalls = new PreparedCalls();
    /** Reads from the client so far: the idle check's clock-free sign of client activity. */
    int clientReads;
    /** When ({@link System#nanoTime()}) the server last had answered everything, and the client reads then. */
    private long waitingSince;
    private int clientReadsWhenWaiting = -1;
    /** The proxy is stopping: end this session at its next moment outside a transaction. */
    private boolean draining;
    /** An intercepted batch cut at a Flush failed: the client's messages up to its Sync are skipped. */
    private boolean skippingToSync;

    ProxyConnection(ProxySettings settings, Channel client, Interceptor interceptor) {
        this.settings = settings;
        this.client = client;
        this.interceptor = interceptor;
    }

    public Channel client() {
        return client;
    }

    public Channel upstream() {
        return upstream;
    }

    public char status() {
        return status;
    }

    /** Routes upstream messages to {@code queue} until {@link #endInterception()}; stops reading the client. */
    public void beginInterception(BlockingQueue<Frame> queue) {
        interception = queue;
        client.config().setAutoRead(false);
    }

    /**
     * Back to relaying: called on the event loop when an interception has answered the client, with
     * the transaction status of the server's last ReadyForQuery (the interception consumed it).
     */
    public void endInterception(char statusNow) {
        status = statusNow;
        relayLateAnswers();
        if (statusNow == 'I') {
            preparedCalls.endOfTransaction();
        }
        drainHeld();
        if (pendingReady == 0) {
            serverReady();
            endIfDrained();
        }
    }

    /**
     * Back to relaying after an interception answered a batch cut at a Flush (no ReadyForQuery yet).
     * After an error there, the client's messages up to its Sync are skipped and the Sync is answered
     * with ReadyForQuery, as the server does after an error in the extended protocol.
     */
    public void endInterceptionAtFlush(char statusNow, boolean skipToSync) {
        status = statusNow;
        relayLateAnswers();
        skippingToSync = skipToSync;
        drainHeld();
    }

    /**
     * Ends the routing to the interception. Server messages that arrived after the interception took
     * its last answer and before this hand-back (an asynchronous NoticeResponse, the server's FATAL
     * error when its backend is terminated) are the client's: they are relayed, after the answers.
     */
    private void relayLateAnswers() {
        BlockingQueue<Frame> late = interception;
        interception = null;
        for (Frame f = late.poll(); f != null; f = late.poll()) {
            if (f != Interceptor.CONNECTION_LOST) {
                if (f.type() == Messages.ERROR_RESPONSE) {
                    fatalRelayed = ServerHandler.isFatal(f);
                }
                client.write(f.bytes(), client.voidPromise());
            }
        }
    }

    /** A ReadyForQuery came from the server; true when it has now answered everything sent to it. */
    boolean readyForQuery(char statusNow) {
        loggedIn = true;
        status = statusNow;
        if (statusNow == 'I' && !preparedCalls.isEmpty()) {
            preparedCalls.endOfTransaction();
        }
        if (pendingReady > 0) {
            pendingReady--;
        }
        if (pendingReady == 0) {
            serverReady();
            return true;
        }
        return false;
    }

    /**
     * The server has answered everything relayed to it (the ReadyForQuery is written, not flushed):
     * held client messages go on now, and a draining session outside a transaction ends.
     */
    void serverAnsweredAll() {
        if (!held.isEmpty()) {
            client.flush();
            drainHeld();
        }
        endIfDrained();
    }

    private void serverReady() {
        waitingSince = System.nanoTime();
        clientReadsWhenWaiting = clientReads;
    }

    /**
     * The session waits for its client at a message boundary: the server owes nothing, the client has
     * sent nothing since, and no call runs.
     */
    private boolean waitingForClient() {
        return loggedIn && pendingReady == 0 && unsynced == 0 && interception == null && batch == null
                && held.isEmpty() && clientReads == clientReadsWhenWaiting;
    }

    /** Ends the session when it has waited for its client longer than the idle timeout for its status. */
    void checkIdle() {
        if (!waitingForClient()) {
            return;
        }
        boolean inTransaction = status != 'I';
        java.time.Duration limit = inTransaction ? settings.limits().idleInTransactionTimeout()
                : settings.limits().idleTimeout();
        if (limit.isZero() || System.nanoTime() - waitingSince < limit.toNanos()) {
            return;
        }
        if (inTransaction) {
            Errors.fatal(client, "25P03", "terminating connection due to idle-in-transaction timeout");
        } else {
            Errors.fatal(client, "57P05", "terminating connection due to idle-session timeout");
        }
    }

    /**
     * The proxy is stopping: a session not logged in yet ends now (57P03, as from a server shutting
     * down); a logged-in one ends with 57P01 as soon as it waits for its client outside a transaction,
     * so running statements and open transactions finish first.
     */
    void drain() {
        draining = true;
        if (!loggedIn) {
            Errors.fatal(client, "57P03", "the database system is shutting down");
        } else {
            endIfDrained();
        }
    }

    /** Ends a draining session that now waits for its client outside a transaction. */
    void endIfDrained() {
        if (draining && status == 'I' && waitingForClient()) {
            Errors.fatal(client, "57P01", "terminating connection due to administrator command");
        }
    }

    /** Takes held client messages in order until one of them starts an interception or must wait. */
    void drainHeld() {
        while (interception == null && !held.isEmpty()) {
            Frame next = held.peek();
            if (pendingReady > 0 && (next.type() == Messages.QUERY ? interceptor.wants(next)
                    : interceptor.startsBatch(this, next))) {
                return; // wait for the server to be ready
            }
            held.poll();
            accept(next);
        }
        upstream.flush();
        if (interception == null && held.isEmpty() && upstream.isWritable() && !client.config().isAutoRead()) {
            client.config().setAutoRead(true);
        }
    }

    /**
     * The fast path: relays all messages of a read with one write when none of them needs the proxy
     * (no call, nothing held, no interception). False, and nothing done, otherwise.
     */
    boolean relayRun(FrameRun run) {
        if (interception != null || batch != null || !held.isEmpty() || !preparedCalls.isEmpty() || skippingToSync) {
            return false;
        }
        for (int i = 0; i < run.size(); i++) {
            byte t = run.type(i);
            if ((t == Messages.QUERY || t == 'P') && run.mentions(i, "pgtrickle")) {
                return false;
            }
        }
        for (int i = 0; i < run.size(); i++) {
            count(run.type(i));
        }
        upstream.write(run.bytes(), upstream.voidPromise());
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
        }
        return true;
    }

    /** Keeps count of what the server owes for a relayed client message. */
    private void count(byte type) {
        switch (type) {
            case Messages.QUERY, 'S' -> {
                pendingReady++;
                unsynced = 0;
            }
            case 'F' -> pendingReady++;
            case 'P', 'B', 'D', 'E', 'C' -> unsynced++;
            case Messages.TERMINATE -> clientTerminated = true;
            default -> {
            }
        }
    }

    /**
     * Takes one client message (in order, none held before it): relays it upstream (no flush), or
     * starts or extends an interception.
     */
    void accept(Frame frame) {
        if (interception != null) {
            held.add(frame);
            return;
        }
        if (skippingToSync) {
            frame.release();
            if (frame.type() == 'S') {
                skippingToSync = false;
                client.write(Messages.readyForQuery(client.alloc(), status));
                client.flush();
            }
            return;
        }
        if (batch != null) {
            batch.add(frame);
            if (frame.type() == 'S' || frame.type() == 'H') { // a Flush asks for the answers so far
                java.util.List<Frame> complete = batch;
                batch = null;
                interceptor.interceptBatch(this, complete, batchAfterUnsynced);
            }
            return;
        }
        byte type = frame.type();
        if (type == Messages.QUERY && interceptor.wants(frame)) {
            if (pendingReady > 0) {
                held.add(frame); // answered once the server has answered what came before
                client.config().setAutoRead(false);
            } else {
                interceptor.intercept(this, frame);
            }
            return;
        }
        if (interceptor.startsBatch(this, frame)) {
            if (pendingReady > 0) {
                held.add(frame); // taken once the server has answered what came before
                client.config().setAutoRead(false);
                return;
            }
            // messages of this batch already relayed (pgjdbc's BEGIN, say) are answered first by the interception
            batchAfterUnsynced = unsynced;
            unsynced = 0;
            batch = new java.util.ArrayList<>();
            batch.add(frame);
            return;
        }
        preparedCalls.forgetOnRelay(frame);
        count(type);
        upstream.write(frame.bytes(), upstream.voidPromise());
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
        }
    }
}
