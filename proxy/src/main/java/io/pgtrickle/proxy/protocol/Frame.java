package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One protocol message as it came off the wire: its type byte and the whole message (type, length
 * and body) as a retained slice of the receive buffer, so it can be relayed without a copy.
 * The holder owns one reference: writing it to a channel or calling {@link #release()} gives it up.
 */
public record Frame(byte type, ByteBuf bytes) {

    /** The body after the type byte and the length. */
    public ByteBuf body() {
        return bytes.slice(bytes.readerIndex() + 5, bytes.readableBytes() - 5);
    }

    public void release() {
        ((ReferenceCounted) bytes).release();
    }

    @Override
    public String toString() {
        return "Frame[" + (char) type + ", " + bytes.readableBytes() + " bytes]";
    }
}
