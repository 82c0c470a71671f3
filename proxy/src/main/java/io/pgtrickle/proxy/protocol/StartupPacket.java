package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A packet of the startup phase: the whole packet (length, code, payload) and its code, which is the
 * protocol version for a StartupMessage or a special request code.
 */
public record StartupPacket(int code, ByteBuf bytes) {
    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    public static final int CANCEL_REQUEST = 80877102;
    private static final int DIRECT_TLS = -1;

    /** Not a packet: the connection starts with a TLS ClientHello; these are its first bytes. */
    static StartupPacket directTls(ByteBuf hello) {
        return new StartupPacket(DIRECT_TLS, hello);
    }

    public boolean directTls() {
        return code == DIRECT_TLS;
    }

    public int majorVersion() {
        return code >>> 16;
    }

    public int minorVersion() {
        return code & 0xffff;
    }

    /** The parameters of a StartupMessage (user, database, options, ...), in order. */
    public Map<String, String> parameters() {
        Map<String, String> out = new LinkedHashMap<>();
        ByteBuf b = bytes.duplicate();
        b.skipBytes(8);
        while (b.isReadable()) {
            String key = Messages.readCString(b);
            if (key.isEmpty()) {
                break;
            }
            out.put(key, Messages.readCString(b));
        }
        return out;
    }

    public void release() {
        if (bytes != null) {
            bytes.release();
        }
    }
}
