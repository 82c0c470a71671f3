package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The complete messages of one read, back to back in one buffer, with each one's type and position.
 * The relay writes a run's buffer on with one write when nothing in it needs the proxy's attention,
 * and takes it apart into {@link Frame}s only when something does. The holder owns the buffer's
 * reference: writing {@link #bytes()} to a channel or calling {@link #release()} gives it up.
 *
 * <p>{@link FrameDecoder} reuses one run for every read of its channel, so a run is valid only until
 * the channel's next read and must not be kept (its frames may be).
 */
public final class FrameRun {
    private ByteBuf bytes;
    private byte[] types = new byte[16];
    private int[] starts = new int[16];
    private int count;

    void reset() {
        bytes = null;
        count = 0;
    }

    void add(byte type, int start) {
        if (count == types.length) {
            types = java.util.Arrays.copyOf(types, count * 2);
            starts = java.util.Arrays.copyOf(starts, count * 2);
        }
        types[count] = type;
        starts[count] = start;
        count++;
    }

    void of(ByteBuf buffer) {
        bytes = buffer;
    }

    public int size() {
        return count;
    }

    public byte type(int i) {
        return types[i];
    }

    private int start(int i) {
        return starts[i];
    }

    private int end(int i) {
        return i + 1 < count ? starts[i + 1] : bytes.writerIndex();
    }

    /** Byte {@code offset} of message i's body (after type and length), read in place. */
    public byte bodyByte(int i, int offset) {
        return bytes.getByte(start(i) + 5 + offset);
    }

    /** Whether message i's body holds {@code word} (ASCII, any case), read in place: see {@link Messages#mentions}. */
    public boolean mentions(int i, String word) {
        return Messages.mentions(bytes, start(i) + 5, end(i), word);
    }

    /** Message i as a Frame of its own (a retained slice): the caller owns it. */
    public Frame frame(int i) {
        return new Frame(types[i], bytes.retainedSlice(start(i), end(i) - start(i)));
    }

    /** Message i to look at without taking it (valid while the run is). */
    public Frame peek(int i) {
        return new Frame(types[i], bytes.slice(start(i), end(i) - start(i)));
    }

    /** All the messages' bytes; writing them gives the run's reference away. */
    public ByteBuf bytes() {
        return bytes;
    }

    public void release() {
        bytes.release();
    }
}
