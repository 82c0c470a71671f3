package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Cuts the first packets of a connection (no type byte: an int32 length that counts itself, then an
 * int32 code) into {@link StartupPacket}s. A TLS ClientHello as first byte (libpq's direct TLS) is
 * passed on whole as a {@link StartupPacket#directTls()} packet, to be fed to a TLS handler.
 */
public final class StartupDecoder extends ByteToMessageDecoder {
    /** PostgreSQL's limit for a startup packet (MAX_STARTUP_PACKET_LENGTH). */
    public static final int MAX_STARTUP = 10_000;
    private static final byte TLS_HANDSHAKE = 0x16;

    /** True when bytes follow the packets decoded so far (nothing may follow an SSLRequest). */
    public boolean hasMoreBytes() {
        return actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 1) {
            return;
        }
        if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE) {
            out.add(StartupPacket.directTls(in.readRetainedSlice(in.readableBytes())));
            return;
        }
        if (in.readableBytes() < 8) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP) {
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("invalid startup packet length " + length);
        }
        if (in.readableBytes() < length) {
            return;
        }
        int code = in.getInt(in.readerIndex() + 4);
        out.add(new StartupPacket(code, in.readRetainedSlice(length)));
    }
}
