package io.pgtrickle.proxy.relay;

import io.netty.channel.Channel;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Frame;
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

    /** Back to relaying: called on the event loop when an interception has answered the client. */
    public void endInterception() {
        interception = null;
        drainHeld();
        if (interception == null && held.isEmpty()) {
            client.config().setAutoRead(true);
            client.read();
        }
    }

    /** Relays held client messages until one of them starts an interception or must wait. */
    void drainHeld() {
        while (interception == null && !held.isEmpty()) {
            Frame next = held.peek();
            if (next.type() == Messages.QUERY && pendingReady > 0 && interceptor.wants(next)) {
                return; // wait for the server to be ready
            }
            held.poll();
            ClientHandler.route(this, next);
        }
        upstream.flush();
    }
}
