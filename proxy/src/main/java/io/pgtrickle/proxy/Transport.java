package io.pgtrickle.proxy;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The Netty transport the proxy runs on. By default the first of these that works here: epoll (Linux,
 * Netty's native library: no JDK selector bookkeeping, and the relay allocates nothing per message),
 * io_uring, NIO (everywhere). {@code -Dpgtrickle.proxy.transport=io_uring} opts into io_uring (Linux
 * 5.14+, where the kernel and the container allow it): fewer system calls per round trip, but Netty's
 * io_uring transport allocates an operation object per send and receive. Measured in docs/benchmarks.md.
 */
public enum Transport {
    EPOLL(Epoll::isAvailable, EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class),
    IO_URING(IoUring::isAvailable, IoUringIoHandler::newFactory, IoUringServerSocketChannel.class,
            IoUringSocketChannel.class),
    NIO(() -> true, NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);

    private final Supplier<Boolean> available;
    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends Channel> socketChannel;

    Transport(Supplier<Boolean> available, Supplier<IoHandlerFactory> handlers,
            Class<? extends ServerChannel> serverChannel, Class<? extends Channel> socketChannel) {
        this.available = available;
        this.handlers = handlers;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /** The transport asked for with {@code pgtrickle.proxy.transport}, or the best one that loads here. */
    public static Transport choose() {
        String asked = System.getProperty("pgtrickle.proxy.transport", "").trim();
        if (!asked.isEmpty()) {
            Transport t = valueOf(asked.toUpperCase(Locale.ROOT).replace('-', '_'));
            if (!t.isAvailable()) {
                throw new IllegalStateException("the " + asked + " transport does not load on this machine");
            }
            return t;
        }
        for (Transport t : values()) {
            if (t.isAvailable()) {
                return t;
            }
        }
        return NIO;
    }

    /** The transport a channel runs on (NIO for anything else, such as a test's embedded channel). */
    public static Transport of(Channel channel) {
        for (Transport t : values()) {
            if (t.socketChannel.isInstance(channel) || t.serverChannel.isInstance(channel)) {
                return t;
            }
        }
        return NIO;
    }

    public boolean isAvailable() {
        try {
            return available.get();
        } catch (LinkageError e) {
            return false;
        }
    }

    public IoHandlerFactory ioHandlerFactory() {
        return handlers.get();
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends Channel> socketChannel() {
        return socketChannel;
    }
}
