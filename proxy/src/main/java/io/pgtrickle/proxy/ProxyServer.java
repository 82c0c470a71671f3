package io.pgtrickle.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.protocol.StartupDecoder;
import io.pgtrickle.proxy.relay.ClientHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: a Netty server (on the best {@link Transport} here) accepting PostgreSQL clients
 * and relaying each to a connection of its own to the upstream server, on the same event loop
 * (DESIGN §6).
 */
public final class ProxyServer implements AutoCloseable {
    /** The name prefix of the event-loop threads that relay sessions (as jstack shows them). */
    public static final String RELAY_THREADS = "pgtrickle-relay";

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Interceptor interceptor;
    private final Channel server;
    private final ChannelGroup clients;
    private final ProxySettings settings;
    private volatile boolean draining;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, Interceptor interceptor, Channel server,
            ChannelGroup clients, ProxySettings settings) {
        this.boss = boss;
        this.workers = workers;
        this.interceptor = interceptor;
        this.server = server;
        this.clients = clients;
        this.settings = settings;
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
        ChannelGroup clients = new DefaultChannelGroup("pgtrickle-clients", GlobalEventExecutor.INSTANCE);
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        try {
            ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            int max = settings.limits().maxConnections();
                            if (admitted.incrementAndGet() > max && max > 0) {
                                admitted.decrementAndGet();
                                ch.writeAndFlush(Messages.error(ch.alloc(), "FATAL", "53300",
                                        "sorry, too many clients already")).addListener(ChannelFutureListener.CLOSE);
                                return;
                            }
                            ch.closeFuture().addListener(f -> admitted.decrementAndGet());
                            clients.add(ch); // removed again when it closes
                            ch.pipeline().addLast("decoder", new StartupDecoder());
                            ch.pipeline().addLast("client", new ClientHandler(settings, interceptor));
                        }
                    });
            Channel server = b.bind(settings.listen()).sync().channel();
            LoggerFactory.getLogger(ProxyServer.class).info("relaying on the {} transport with {} event loop(s)",
                    transport.name().toLowerCase(java.util.Locale.ROOT), eventLoops());
            return new ProxyServer(boss, workers, interceptor, server, clients, settings);
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

    /** Client sessions open now. */
    public int sessions() {
        return clients.size();
    }

    /** Whether the proxy is stopping (it no longer accepts clients). */
    public boolean draining() {
        return draining;
    }

    /**
     * Stops gracefully: no new clients; each session ends (FATAL 57P01) once it waits for its client
     * outside a transaction, so statements and transactions under way finish; whatever still runs
     * after the drain timeout ({@link ProxySettings.Limits#drainTimeout()}) is ended then.
     */
    @Override
    public synchronized void close() {
        if (draining) {
            return;
        }
        draining = true;
        server.close().syncUninterruptibly();
        for (Channel ch : clients) {
            ch.eventLoop().execute(() -> {
                ClientHandler handler = ch.pipeline().get(ClientHandler.class);
                if (handler != null) {
                    handler.drain(ch);
                }
            });
        }
        if (!clients.newCloseFuture().awaitUninterruptibly(settings.limits().drainTimeout().toMillis())) {
            for (Channel ch : clients) {
                ch.eventLoop().execute(() -> ClientHandler.terminate(ch));
            }
            clients.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        shutdown(boss, workers, interceptor);
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, Interceptor interceptor) {
        interceptor.close();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
