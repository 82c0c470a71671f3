package io.pgtrickle.proxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.FrameDecoder;
import io.pgtrickle.proxy.protocol.FrameRun;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.protocol.StartupDecoder;
import io.pgtrickle.proxy.protocol.StartupPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a proxied session. In the startup phase it answers SSLRequest and GSSENCRequest,
 * forwards CancelRequest, and on the StartupMessage connects upstream and relays it. Afterwards it
 * relays every client message upstream untouched, except a Query that holds a pgtrickle call, which
 * goes to the {@link Interceptor}. Reading stops while the upstream cannot take more (back-pressure).
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);
    static final String DECODER = "decoder";

    private final ProxySettings settings;
    private final Interceptor interceptor;
    private ProxyConnection connection;

    public ClientHandler(ProxySettings settings, Interceptor interceptor) {
        this.settings = settings;
        this.interceptor = interceptor;
    }

    /** Until the first ReadyForQuery, a client has {@code loginTimeout} to get there. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        java.time.Duration timeout = settings.limits().loginTimeout();
        ctx.executor().schedule(() -> {
            if (connection == null || !connection.loggedIn) {
                Errors.fatal(ctx.channel(), "08P01", "canceling authentication due to timeout");
            }
        }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StartupPacket packet) {
            startup(ctx, packet);
        } else if (msg instanceof FrameRun run) {
            if (connection == null || connection.upstream == null) {
                run.release(); // nothing may come before the startup message is answered
                return;
            }
            connection.clientReads++;
            if (!connection.relayRun(run)) { // the slow path: message by message
                for (int i = 0; i < run.size(); i++) {
                    Frame frame = run.frame(i);
                    if (!connection.held.isEmpty()) {
                        connection.held.add(frame);
                    } else {
                        connection.accept(frame);
                    }
                }
                run.release();
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (connection != null && connection.upstream != null) {
            connection.upstream.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && connection != null && connection.upstream != null) {
            connection.upstream.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null && connection.upstream != null) {
            connection.upstream.close();
        }
        for (Frame f : connection == null ? java.util.List.<Frame>of() : connection.held) {
            f.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection failed", cause);
        Errors.fatal(ctx.channel(), "08P01", "invalid frontend message: " + cause.getMessage());
    }

    private void startup(ChannelHandlerContext ctx, StartupPacket packet) {
        if (packet.directTls()) {
            directTls(ctx, packet.bytes());
            return;
        }
        switch (packet.code()) {
            case StartupPacket.SSL_REQUEST -> {
                packet.release();
                StartupDecoder decoder = (StartupDecoder) ctx.pipeline().get(DECODER);
                if (decoder != null && decoder.hasMoreBytes()) {
                    // data before the TLS handshake could be injected by a man in the middle (CVE-2021-23214)
                    Errors.fatal(ctx.channel(), "08P01", "received unencrypted data after SSL request");
                    return;
                }
                if (settings.clientTls() == null || ctx.pipeline().get(SslHandler.class) != null) {
                    ctx.writeAndFlush(Messages.singleByte(ctx.alloc(), 'N'));
                } else {
                    ctx.writeAndFlush(Messages.singleByte(ctx.alloc(), 'S')).addListener(f ->
                            ctx.pipeline().addFirst("tls", settings.clientTls().newHandler(ctx.alloc())));
                }
            }
            case StartupPacket.GSSENC_REQUEST -> {
                packet.release();
                ctx.writeAndFlush(Messages.singleByte(ctx.alloc(), 'N'));
            }
            case StartupPacket.CANCEL_REQUEST -> {
                Upstreams.cancel(settings, ctx.channel(), packet.bytes());
                ctx.close();
            }
            default -> {
                if (packet.majorVersion() != 3) {
                    packet.release();
                    Errors.fatal(ctx.channel(), "0A000", "unsupported frontend protocol " + packet.majorVersion() + "."
                            + packet.minorVersion() + ": server supports 3.0 to 3.2");
                    return;
                }
                ctx.pipeline().replace(DECODER, DECODER, new FrameDecoder());
                connection = new ProxyConnection(settings, ctx.channel(), interceptor);
                watchIdle(ctx);
                ctx.channel().config().setAutoRead(false);
                Upstreams.connect(connection, packet.bytes()).addListener(f -> {
                    if (f.isSuccess()) {
                        ctx.channel().config().setAutoRead(true);
                    } else {
                        Errors.fatal(ctx.channel(), "08006", "could not connect to the PostgreSQL server at "
                                + settings.upstream() + ": " + f.cause().getMessage());
                    }
                });
            }
        }
    }

    /**
     * With an idle timeout set, checks the session periodically: often enough that it ends within a
     * twentieth of the timeout after it expires (and at least every second).
     */
    private void watchIdle(ChannelHandlerContext ctx) {
        ProxySettings.Limits limits = settings.limits();
        if (!limits.idleTimeouts()) {
            return;
        }
        long shortest = Long.MAX_VALUE;
        for (java.time.Duration d : new java.time.Duration[] {limits.idleTimeout(), limits.idleInTransactionTimeout()}) {
            if (!d.isZero()) {
                shortest = Math.min(shortest, d.toMillis());
            }
        }
        long period = Math.max(10, Math.min(1000, shortest / 20));
        java.util.concurrent.ScheduledFuture<?> check = ctx.executor().scheduleAtFixedRate(connection::checkIdle,
                period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> check.cancel(false));
    }

    /**
     * The proxy is stopping (called on this channel's event loop): a session that is not logged in
     * ends now, a logged-in one at its next moment outside a transaction.
     */
    public void drain(io.netty.channel.Channel client) {
        if (connection == null) {
            Errors.fatal(client, "57P03", "the database system is shutting down");
        } else {
            connection.drain();
        }
    }

    /** Ends the session now, whatever it is doing: the proxy stops and the drain time is over. */
    public static void terminate(io.netty.channel.Channel client) {
        Errors.fatal(client, "57P01", "terminating connection due to administrator command");
    }

    /** libpq's direct TLS: the first bytes are a ClientHello; put TLS in front and start over. */
    private void directTls(ChannelHandlerContext ctx, ByteBuf hello) {
        if (settings.clientTls() == null) {
            hello.release();
            ctx.close();
            return;
        }
        ctx.pipeline().addFirst("tls", settings.clientTls().newHandler(ctx.alloc()));
        ctx.pipeline().replace(DECODER, DECODER, new StartupDecoder());
        ctx.pipeline().fireChannelRead(hello);
    }
}
