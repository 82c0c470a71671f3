package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The complete messages of one read, back to back: one retained slice over all of them and each one's
 * type and position. The relay writes a run with one write when nothing in it needs the proxy's
 * attention, and takes it apart into {@link Frame}s only when something does.
 */
public final class FrameRun {
    private final ByteBuf bytes;
    private final byte[] types;
    private final int[] starts;
    private final int count;

    FrameRun(ByteBuf bytes, byte[] types, int[] starts, int count) {
        this.bytes = bytes;
        this.types = types;
        this.starts = starts;
        this.count = count;
    }

    public int size() {
        return count;
    }

    public byte type(int i) {
        return types[i];
    }

    private int end(int i) {
        return i + 1 < count ? starts[i + 1] : bytes.readableBytes();
    }

    /** Message i as a Frame of its own (a retained slice): the caller owns it. */
    public Frame frame(int i) {
        return new Frame(types[i], bytes.retainedSlice(bytes.readerIndex() + starts[i], end(i) - starts[i]));
    }

    /** Message i to look at without taking it (valid while the run is). */
    public Frame peek(int i) {
        return new Frame(types[i], bytes.slice(bytes.readerIndex() + starts[i], end(i) - starts[i]));
    }

    /** All the messages' bytes; writing them gives the run's reference away. */
    public ByteBuf bytes() {
        return bytes;
    }

    public void release() {
        bytes.release();
    }
}
