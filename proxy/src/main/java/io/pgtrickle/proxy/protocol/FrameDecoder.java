package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Cuts the byte stream after startup into messages (a type byte, an int32 length that counts itself,
 * the body) and passes on, per read, one {@link FrameRun}: the complete messages of that read, back to
 * back, in the very buffer the read filled. Nothing is copied or allocated when a read ends on a
 * message boundary, the usual case; the start of a message that a read cut off is copied aside and
 * completed by the next reads. A length below 4 or above the limit is a corrupt stream: the messages
 * before it are passed on, then a {@link io.netty.handler.codec.DecoderException} is raised and all
 * later input is dropped.
 */
public final class FrameDecoder extends ChannelInboundHandlerAdapter {
    /** PostgreSQL itself refuses messages over 1 GB. */
    public static final int MAX_MESSAGE = 1 << 30;
    /** The first buffer for a message cut off by a read grows from at most this size as its bytes come. */
    private static final int FIRST_CARRY = 64 * 1024;

    private final int maxMessage;
    /** Reused for every read: valid until the next one. */
    private final FrameRun run = new FrameRun();
    /** An incomplete message (or header) carried over to the next read; null when reads end on a boundary. */
    private ByteBuf partial;
    private boolean corrupt;

    public FrameDecoder() {
        this(MAX_MESSAGE);
    }

    public FrameDecoder(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        run.reset();
        if (corrupt) {
            in.release();
            return;
        }
        ByteBuf buf = partial == null ? in : append(partial, in);
        partial = null;
        int start = buf.readerIndex();
        int limit = buf.writerIndex();
        int pos = start;
        RuntimeException failure = null;
        while (limit - pos >= 5) {
            int length = buf.getInt(pos + 1);
            if (length < 4 || length > maxMessage) {
                failure = length < 4 ? new CorruptedFrameException("invalid message length " + length)
                        : new TooLongFrameException("message of " + length + " bytes is over the limit of " + maxMessage);
                corrupt = true;
                limit = pos; // nothing from here on is passed on
                break;
            }
            if (limit - pos - 1 < length) {
                break;
            }
            run.add(buf.getByte(pos), pos);
            pos += length + 1;
        }
        if (failure == null && pos < limit) {
            partial = carry(ctx, buf, pos, limit);
        }
        buf.writerIndex(pos);
        if (run.size() == 0) {
            buf.release();
        } else {
            run.of(buf);
            ctx.fireChannelRead(run);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Copies the incomplete message at the end of a read into a buffer of its own, sized for it if known. */
    private static ByteBuf carry(ChannelHandlerContext ctx, ByteBuf buf, int pos, int limit) {
        int have = limit - pos;
        int want = have >= 5 ? buf.getInt(pos + 1) + 1 : 256;
        ByteBuf out = ctx.alloc().buffer(Math.max(have, Math.min(want, FIRST_CARRY)));
        return out.writeBytes(buf, pos, have);
    }

    private static ByteBuf append(ByteBuf carried, ByteBuf in) {
        try {
            return carried.writeBytes(in);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropPartial();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        dropPartial();
    }

    private void dropPartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
