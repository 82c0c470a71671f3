package io.pgtrickle.proxy.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.Transport;
import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.protocol.FrameDecoder;
import io.pgtrickle.proxy.protocol.Messages;
import javax.net.ssl.SSLException;

/**
 * Connections to the PostgreSQL server: one per client session, on the client's event loop, with TLS
 * first when the upstream's sslmode asks for it; and one-shot connections that carry a CancelRequest.
 */
final class Upstreams {
    private Upstreams() {
    }

    /**
     * Connects the session's upstream and sends the client's startup packet on it. The promise
     * completes when the packet is on its way; from then the server's answers are relayed.
     */
    static Future<Void> connect(ProxyConnection c, ByteBuf startup) {
        Promise<Void> ready = c.client.eventLoop().newPromise();
        UpstreamTarget target = c.settings.upstream();
        Bootstrap b = new Bootstrap().group(c.client.eventLoop()).channel(Transport.of(c.client).socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ClientHandler.DECODER, new FrameDecoder());
                        ch.pipeline().addLast("relay", new ServerHandler(c));
                    }
                });
        b.connect(target.host(), target.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                startup.release();
                ready.setFailure(f.cause());
                return;
            }
            c.upstream = f.channel();
            if (target.sslMode().requestsTls() && c.settings.upstreamTls() != null) {
                f.channel().pipeline().addFirst("negotiate", new TlsNegotiation(c, startup, ready));
                f.channel().writeAndFlush(Messages.sslRequest(f.channel().alloc()));
            } else {
                sendStartup(f.channel(), startup, ready);
            }
        });
        return ready;
    }

    private static void sendStartup(Channel upstream, ByteBuf startup, Promise<Void> ready) {
        upstream.writeAndFlush(startup).addListener(w -> {
            if (w.isSuccess()) {
                ready.trySuccess(null);
            } else {
                ready.tryFailure(w.cause());
            }
        });
    }

    /** Reads the server's one-byte answer to SSLRequest, then starts TLS (or not) and sends the startup. */
    private static final class TlsNegotiation extends ChannelInboundHandlerAdapter {
        private final ProxyConnection c;
        private final ByteBuf startup;
        private final Promise<Void> ready;

        TlsNegotiation(ProxyConnection c, ByteBuf startup, Promise<Void> ready) {
            this.c = c;
            this.startup = startup;
            this.ready = ready;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            byte answer = in.readByte();
            ByteBuf rest = in.isReadable() ? in.retainedSlice() : null;
            in.release();
            ctx.pipeline().remove(this);
            if (rest != null) {
                rest.release(); // nothing may follow the answer before the handshake (CVE-2021-23214)
                fail(ctx, new SSLException("unexpected data after the server's answer to SSLRequest"));
                return;
            }
            if (answer == 'S') {
                UpstreamTarget t = c.settings.upstream();
                SslHandler tls = c.settings.upstreamTls().newHandler(ctx.alloc(), t.host(), t.port());
                ctx.pipeline().addFirst("tls", tls);
                tls.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        sendStartup(ctx.channel(), startup, ready);
                    } else {
                        fail(ctx, h.cause());
                    }
                });
            } else if (c.settings.upstream().sslMode().requiresTls()) {
                fail(ctx, new SSLException("the server does not support TLS, and sslmode requires it"));
            } else {
                sendStartup(ctx.channel(), startup, ready);
            }
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            startup.release();
            ready.tryFailure(cause);
            ctx.close();
        }
    }

    /** Forwards a CancelRequest packet to the server on a connection of its own. */
    static void cancel(ProxySettings settings, Channel client, ByteBuf packet) {
        EventLoop loop = client.eventLoop();
        UpstreamTarget target = settings.upstream();
        new Bootstrap().group(loop).channel(Transport.of(client).socketChannel())
                .handler(new ChannelInboundHandlerAdapter())
                .connect(target.host(), target.port()).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().writeAndFlush(packet).addListener(ChannelFutureListener.CLOSE);
                    } else {
                        packet.release();
                    }
                });
    }
}
