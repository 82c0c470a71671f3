package io.pgtrickle.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.protocol.StartupDecoder;
import io.pgtrickle.proxy.relay.ClientHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The running proxy: a Netty server ({@link Transport}: epoll on Linux, else NIO) accepting PostgreSQL clients and relaying each to
 * a connection of its own to the upstream server, on the same event loop (DESIGN §6).
 */
public final class ProxyServer implements AutoCloseable {
    /** The name prefix of the event-loop threads that relay sessions (as jstack shows them). */
    public static final String RELAY_THREADS = "pgtrickle-relay";

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Interceptor interceptor;
    private final Channel server;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, Interceptor interceptor, Channel server) {
        this.boss = boss;
        this.workers = workers;
        this.interceptor = interceptor;
        this.server = server;
    }

    /**
     * Binds the listening socket and starts serving.
     *
     * @throws java.net.BindException when the address is taken
     */
    public static ProxyServer start(ProxySettings settings) throws InterruptedException, IOException {
        Transport transport = Transport.choose();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pgtrickle-accept"),
                transport.ioHandlerFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(eventLoops(), new DefaultThreadFactory(RELAY_THREADS),
                transport.ioHandlerFactory());
        Interceptor interceptor = new Interceptor();
        java.util.concurrent.atomic.AtomicInteger clients = new java.util.concurrent.atomic.AtomicInteger();
        try {
            ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            int max = settings.limits().maxConnections();
                            if (clients.incrementAndGet() > max && max > 0) {
                                clients.decrementAndGet();
                                ch.writeAndFlush(Messages.error(ch.alloc(), "FATAL", "53300",
                                        "sorry, too many clients already")).addListener(ChannelFutureListener.CLOSE);
                                return;
                            }
                            ch.closeFuture().addListener(f -> clients.decrementAndGet());
                            ch.pipeline().addLast("decoder", new StartupDecoder());
                            ch.pipeline().addLast("client", new ClientHandler(settings, interceptor));
                        }
                    });
            Channel server = b.bind(settings.listen()).sync().channel();
            return new ProxyServer(boss, workers, interceptor, server);
        } catch (InterruptedException | RuntimeException e) {
            shutdown(boss, workers, interceptor);
            throw e;
        } catch (Exception e) {
            shutdown(boss, workers, interceptor);
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e);
        }
    }

    /**
     * Event-loop threads for sessions: one per two cores by default (the relay is cheap per message, and
     * PostgreSQL and the clients need the cores more); {@code -Dpgtrickle.proxy.eventLoops=N} to change.
     */
    static int eventLoops() {
        int fallback = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return Integer.getInteger("pgtrickle.proxy.eventLoops", fallback);
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Stops accepting and closes every session. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        shutdown(boss, workers, interceptor);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, Interceptor interceptor) {
        interceptor.close();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
