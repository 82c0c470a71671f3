package io.pgtrickle.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few protocol messages the proxy writes or reads itself, named as in the PostgreSQL
 * documentation ("Message Formats"). Everything else is relayed as raw {@link Frame}s.
 */
public final class Messages {
    // backend message types
    public static final byte AUTHENTICATION = 'R';
    public static final byte BACKEND_KEY_DATA = 'K';
    public static final byte PARAMETER_STATUS = 'S';
    public static final byte READY_FOR_QUERY = 'Z';
    public static final byte ROW_DESCRIPTION = 'T';
    public static final byte DATA_ROW = 'D';
    public static final byte COMMAND_COMPLETE = 'C';
    public static final byte ERROR_RESPONSE = 'E';
    public static final byte NOTICE_RESPONSE = 'N';
    public static final byte NOTIFICATION_RESPONSE = 'A';
    public static final byte EMPTY_QUERY_RESPONSE = 'I';
    // frontend message types
    public static final byte QUERY = 'Q';
    public static final byte TERMINATE = 'X';

    private Messages() {
    }

    // ------------------------------------------------------------------------------------ reading

    /** Reads a NUL-terminated UTF-8 string and moves past it. */
    public static String readCString(ByteBuf b) {
        int end = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new IllegalArgumentException("unterminated string in message");
        }
        String s = b.toString(b.readerIndex(), end - b.readerIndex(), StandardCharsets.UTF_8);
        b.readerIndex(end + 1);
        return s;
    }

    /** The SQL text of a Query message. */
    public static String queryText(Frame query) {
        return readCString(query.body());
    }

    /** The transaction status of a ReadyForQuery message: 'I', 'T' or 'E'. */
    public static char readyStatus(Frame ready) {
        return (char) ready.body().getByte(0);
    }

    /** The fields of an ErrorResponse or NoticeResponse, keyed by field type ('S', 'C', 'M', ...). */
    public static Map<Character, String> fields(Frame errorOrNotice) {
        Map<Character, String> out = new LinkedHashMap<>();
        ByteBuf b = errorOrNotice.body();
        while (b.isReadable()) {
            byte code = b.readByte();
            if (code == 0) {
                break;
            }
            out.put((char) code, readCString(b));
        }
        return out;
    }

    /** The body of an ErrorResponse as the NUL-separated text pgjdbc's ServerErrorMessage parses. */
    public static String fieldText(Frame errorOrNotice) {
        ByteBuf b = errorOrNotice.body();
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The column names of a RowDescription. */
    public static List<String> columnNames(Frame rowDescription) {
        ByteBuf b = rowDescription.body();
        int n = b.readUnsignedShort();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(readCString(b));
            b.skipBytes(18);
        }
        return names;
    }

    /** The values of a DataRow in text format (null for SQL NULL). */
    public static List<String> rowValues(Frame dataRow) {
        ByteBuf b = dataRow.body();
        int n = b.readUnsignedShort();
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.readInt();
            if (len < 0) {
                values.add(null);
            } else {
                values.add(b.toString(b.readerIndex(), len, StandardCharsets.UTF_8));
                b.skipBytes(len);
            }
        }
        return values;
    }

    // ------------------------------------------------------------------------------------ writing

    /** Query: one simple-protocol query string. */
    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        ByteBuf b = start(alloc, QUERY);
        writeCString(b, sql);
        return finish(b);
    }

    /** Parse (unnamed statement, no parameter types given). */
    public static ByteBuf parse(ByteBufAllocator alloc, String sql) {
        ByteBuf b = start(alloc, (byte) 'P');
        writeCString(b, "");
        writeCString(b, sql);
        b.writeShort(0);
        return finish(b);
    }

    /** Bind (unnamed portal and statement) with text parameters and text results. */
    public static ByteBuf bind(ByteBufAllocator alloc, List<String> parameters) {
        ByteBuf b = start(alloc, (byte) 'B');
        writeCString(b, "");
        writeCString(b, "");
        b.writeShort(0);
        b.writeShort(parameters.size());
        for (String p : parameters) {
            if (p == null) {
                b.writeInt(-1);
            } else {
                int lengthIndex = b.writerIndex();
                b.writeInt(0);
                int written = ByteBufUtil.writeUtf8(b, p);
                b.setInt(lengthIndex, written);
            }
        }
        b.writeShort(0);
        return finish(b);
    }

    /** Describe of the unnamed portal. */
    public static ByteBuf describePortal(ByteBufAllocator alloc) {
        ByteBuf b = start(alloc, (byte) 'D');
        b.writeByte('P');
        writeCString(b, "");
        return finish(b);
    }

    /** Execute of the unnamed portal, all rows. */
    public static ByteBuf execute(ByteBufAllocator alloc) {
        ByteBuf b = start(alloc, (byte) 'E');
        writeCString(b, "");
        b.writeInt(0);
        return finish(b);
    }

    public static ByteBuf sync(ByteBufAllocator alloc) {
        return finish(start(alloc, (byte) 'S'));
    }

    public static ByteBuf terminate(ByteBufAllocator alloc) {
        return finish(start(alloc, TERMINATE));
    }

    /** ReadyForQuery with a transaction status. */
    public static ByteBuf readyForQuery(ByteBufAllocator alloc, char status) {
        ByteBuf b = start(alloc, READY_FOR_QUERY);
        b.writeByte(status);
        return finish(b);
    }

    /**
     * ErrorResponse (or NoticeResponse with type 'N') from fields keyed by field type; severity 'S'
     * and 'V', code 'C' and message 'M' are required by every client.
     */
    public static ByteBuf errorResponse(ByteBufAllocator alloc, byte type, Map<Character, String> fields) {
        ByteBuf b = start(alloc, type);
        fields.forEach((code, value) -> {
            if (value != null && !value.isEmpty()) {
                b.writeByte(code);
                writeCString(b, value);
            }
        });
        b.writeByte(0);
        return finish(b);
    }

    /** An ErrorResponse of the proxy's own: severity ERROR or FATAL, a SQLSTATE and a message. */
    public static ByteBuf error(ByteBufAllocator alloc, String severity, String sqlState, String message) {
        Map<Character, String> f = new LinkedHashMap<>();
        f.put('S', severity);
        f.put('V', severity);
        f.put('C', sqlState);
        f.put('M', message);
        return errorResponse(alloc, ERROR_RESPONSE, f);
    }

    /** SSLRequest / GSSENCRequest answer: one byte, 'S' or 'N'. */
    public static ByteBuf singleByte(ByteBufAllocator alloc, char answer) {
        return alloc.buffer(1).writeByte(answer);
    }

    /** SSLRequest, sent to the server before the startup message when the upstream wants TLS. */
    public static ByteBuf sslRequest(ByteBufAllocator alloc) {
        return alloc.buffer(8).writeInt(8).writeInt(StartupPacket.SSL_REQUEST);
    }

    private static ByteBuf start(ByteBufAllocator alloc, byte type) {
        ByteBuf b = alloc.buffer();
        b.writeByte(type);
        b.writeInt(0);
        return b;
    }

    private static ByteBuf finish(ByteBuf b) {
        b.setInt(1, b.writerIndex() - 1);
        return b;
    }

    private static void writeCString(ByteBuf b, String s) {
        ByteBufUtil.writeUtf8(b, s);
        b.writeByte(0);
    }
}
