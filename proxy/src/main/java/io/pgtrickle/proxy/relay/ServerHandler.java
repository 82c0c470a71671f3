package io.pgtrickle.proxy.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.FrameRun;
import io.pgtrickle.proxy.protocol.Messages;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of a proxied session: relays every server message to the client untouched, noting
 * the transaction status from ReadyForQuery. While an interception runs, the server's answers go to it
 * instead (ParameterStatus and NotificationResponse still go to the client: they are the client's).
 */
final class ServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandler.class);
    private static final int AUTH_SASL = 10;

    private final ProxyConnection c;

    ServerHandler(ProxyConnection c) {
        this.c = c;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        relayRun(ctx, (FrameRun) msg);
    }

    /** Relays a read's messages with one write, noting ReadyForQuery and FATAL errors on the way. */
    private void relayRun(ChannelHandlerContext ctx, FrameRun run) {
        boolean slow = c.interception != null;
        for (int i = 0; i < run.size() && !slow; i++) {
            slow = run.type(i) == Messages.AUTHENTICATION && c.settings.clientTls() != null;
        }
        if (slow) {
            for (int i = 0; i < run.size(); i++) {
                handle(ctx, run.frame(i));
            }
            run.release();
            return;
        }
        boolean answered = false;
        for (int i = 0; i < run.size(); i++) {
            byte type = run.type(i);
            if (type == Messages.ERROR_RESPONSE) {
                c.fatalRelayed = isFatal(run.peek(i));
            } else if (type == Messages.READY_FOR_QUERY) {
                answered = c.readyForQuery((char) run.bodyByte(i, 0));
            }
        }
        c.client.write(run.bytes(), c.client.voidPromise());
        if (answered) {
            c.serverAnsweredAll();
        }
        if (!c.client.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** One server message: to the interception while one runs, else relayed. */
    private void handle(ChannelHandlerContext ctx, Frame f) {
        byte type = f.type();
        if (c.interception != null && type != Messages.PARAMETER_STATUS && type != Messages.NOTIFICATION_RESPONSE) {
            c.interception.add(f);
            return;
        }
        ByteBuf out = f.bytes();
        if (type == Messages.AUTHENTICATION && c.settings.clientTls() != null) {
            out = withoutChannelBinding(f);
        }
        if (type == Messages.ERROR_RESPONSE) {
            c.fatalRelayed = isFatal(f);
        }
        c.client.write(out, c.client.voidPromise());
        if (type == Messages.READY_FOR_QUERY && c.readyForQuery(Messages.readyStatus(f))) {
            c.serverAnsweredAll();
        }
        if (!c.client.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    static boolean isFatal(Frame error) {
        String severity = Messages.fields(error).get('V');
        return "FATAL".equals(severity) || "PANIC".equals(severity);
    }

    /**
     * TLS ends at the proxy, so SCRAM channel binding would bind to the proxy's certificate and fail:
     * the server's offer of SCRAM-SHA-256-PLUS is removed, and clients use SCRAM-SHA-256.
     */
    private static ByteBuf withoutChannelBinding(Frame f) {
        ByteBuf body = f.body();
        if (body.readableBytes() < 4 || body.getInt(body.readerIndex()) != AUTH_SASL) {
            return f.bytes();
        }
        body.skipBytes(4);
        ByteBuf out = Unpooled.buffer();
        out.writeByte(Messages.AUTHENTICATION).writeInt(0).writeInt(AUTH_SASL);
        while (body.isReadable()) {
            String mechanism = Messages.readCString(body);
            if (mechanism.isEmpty()) {
                break;
            }
            if (!mechanism.endsWith("-PLUS")) {
                out.writeBytes(mechanism.getBytes(StandardCharsets.UTF_8)).writeByte(0);
            }
        }
        out.writeByte(0);
        out.setInt(1, out.writerIndex() - 1);
        f.release();
        return out;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        c.client.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && c.interception == null && c.held.isEmpty()) {
            c.client.config().setAutoRead(true);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (c.interception != null) {
            c.interception.add(Interceptor.CONNECTION_LOST);
        }
        if (c.clientTerminated || c.fatalRelayed) {
            c.client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            c.client.writeAndFlush(Messages.error(c.client.alloc(), "FATAL", "08006",
                    "the connection to the PostgreSQL server was lost")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("upstream connection failed: {}", cause.toString());
        ctx.close();
    }
}
