package io.pgtrickle.proxy.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.pgtrickle.proxy.protocol.Messages;

/** Errors the proxy originates: never close a client's socket without telling it why. */
final class Errors {
    private Errors() {
    }

    /** Sends a FATAL ErrorResponse and closes the connection. */
    static void fatal(Channel channel, String sqlState, String message) {
        if (!channel.isActive()) {
            return;
        }
        channel.writeAndFlush(Messages.error(channel.alloc(), "FATAL", sqlState, message))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
