package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts the byte stream after startup into {@link Frame}s: a type byte, an int32 length that counts
 * itself, and the body. Frames are retained slices of the cumulation buffer (no copy). A length below
 * 4 or above the limit is a corrupt stream.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** PostgreSQL itself refuses messages over 1 GB. */
    public static final int MAX_MESSAGE = 1 << 30;

    private final int maxMessage;

    public FrameDecoder() {
        this(MAX_MESSAGE);
    }

    public FrameDecoder(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 5) {
            int start = in.readerIndex();
            int length = in.getInt(start + 1);
            if (length < 4) {
                in.skipBytes(in.readableBytes());
                throw new CorruptedFrameException("invalid message length " + length);
            }
            if (length > maxMessage) {
                in.skipBytes(in.readableBytes());
                throw new TooLongFrameException("message of " + length + " bytes is over the limit of " + maxMessage);
            }
            if (in.readableBytes() < length + 1) {
                return;
            }
            byte type = in.getByte(start);
            out.add(new Frame(type, in.readRetainedSlice(length + 1)));
        }
    }
}
