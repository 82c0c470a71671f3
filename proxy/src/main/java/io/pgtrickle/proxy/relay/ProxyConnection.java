package io.pgtrickle.proxy.relay;

import io.netty.channel.Channel;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.FrameRun;
import io.pgtrickle.proxy.protocol.Messages;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import io.pgtrickle.proxy.intercept.PreparedCalls;

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
    /** The server sent its first ReadyForQuery: startup and authentication are over. */
    volatile boolean loggedIn;
    /** Extended-protocol messages relayed upstream since the last Sync (or Query). */
    int unsynced;
    /** The batch being collected follows messages already relayed to the server without a Sync. */
    boolean batchAfterUnsynced;
    /** Client messages of an extended-protocol batch with pgtrickle calls, collected until its Sync; or null. */
    java.util.List<Frame> batch;
    /** Prepared statements and portals that are pgtrickle calls, answered by the proxy (the server never saw them). */
    public final PreparedCalls preparedCalls = new PreparedCalls();

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
        interception = null;
        drainHeld();
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
        if (interception != null || batch != null || !held.isEmpty() || !preparedCalls.isEmpty()) {
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
            case 'P', 'B', 'D', 'E', 'C', 'H' -> unsynced++;
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
        if (batch != null) {
            batch.add(frame);
            if (frame.type() == 'S') {
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
            // messages of this batch already relayed (pgjdbc's BEGIN, say) are synced first by the interception
            batchAfterUnsynced = unsynced > 0;
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
