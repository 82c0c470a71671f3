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
    /** Emit one {@link FrameRun} per read instead of one {@link Frame} per message. */
    private final boolean runs;
    private byte[] types = new byte[16];
    private int[] starts = new int[16];

    public FrameDecoder() {
        this(MAX_MESSAGE, false);
    }

    public FrameDecoder(int maxMessage) {
        this(maxMessage, false);
    }

    /** @param runs emit {@link FrameRun}s (the relay) rather than single {@link Frame}s */
    public FrameDecoder(int maxMessage, boolean runs) {
        this.maxMessage = maxMessage;
        this.runs = runs;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (runs) {
            decodeRun(in, out);
            return;
        }
        while (in.readableBytes() >= 5) {
            int start = in.readerIndex();
            int length = checkedLength(in, start);
            if (in.readableBytes() < length + 1) {
                return;
            }
            byte type = in.getByte(start);
            out.add(new Frame(type, in.readRetainedSlice(length + 1)));
        }
    }

    /** All complete messages at the front of {@code in} as one run (a run of none emits nothing). */
    private void decodeRun(ByteBuf in, List<Object> out) {
        int first = in.readerIndex();
        int pos = first;
        int limit = in.writerIndex();
        int count = 0;
        while (limit - pos >= 5) {
            int length = checkedLength(in, pos);
            if (limit - pos < length + 1) {
                break;
            }
            if (count == types.length) {
                types = java.util.Arrays.copyOf(types, count * 2);
                starts = java.util.Arrays.copyOf(starts, count * 2);
            }
            types[count] = in.getByte(pos);
            starts[count] = pos - first;
            count++;
            pos += length + 1;
        }
        if (count > 0) {
            out.add(new FrameRun(in.readRetainedSlice(pos - first), java.util.Arrays.copyOf(types, count),
                    java.util.Arrays.copyOf(starts, count), count));
        }
    }

    /** The length field of the message at {@code pos}; a corrupt stream (the input is dropped) otherwise. */
    private int checkedLength(ByteBuf in, int pos) {
        int length = in.getInt(pos + 1);
        if (length < 4 || length > maxMessage) {
            in.skipBytes(in.readableBytes());
            throw length < 4 ? new CorruptedFrameException("invalid message length " + length)
                    : new TooLongFrameException("message of " + length + " bytes is over the limit of " + maxMessage);
        }
        return length;
    }
}
