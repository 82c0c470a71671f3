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
 * The Netty transport the proxy runs on: Linux's epoll through Netty's native library where it loads
 * (fewer system calls and no JDK selector bookkeeping per read), io_uring when asked for, NIO
 * everywhere else. {@code -Dpgtrickle.proxy.transport=epoll|io_uring|nio} forces one.
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
        return EPOLL.isAvailable() ? EPOLL : NIO;
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
