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

    /**
     * True when the bytes of the message body contain {@code word} in ASCII, ignoring case: a test that
     * decodes nothing, to let the hot path skip messages that cannot hold a pgtrickle call.
     */
    public static boolean mentions(Frame frame, String word) {
        ByteBuf b = frame.bytes();
        return mentions(b, b.readerIndex() + 5, b.writerIndex(), word);
    }

    /** {@link #mentions(Frame, String)} over the bytes {@code [from, to)} of a buffer, read in place. */
    public static boolean mentions(ByteBuf b, int from, int to, String word) {
        int last = to - word.length();
        byte first = (byte) Character.toLowerCase(word.charAt(0));
        for (int i = from; i <= last; i++) {
            if ((b.getByte(i) | 0x20) == first) {
                int j = 1;
                while (j < word.length() && (b.getByte(i + j) | 0x20) == Character.toLowerCase(word.charAt(j))) {
                    j++;
                }
                if (j == word.length()) {
                    return true;
                }
            }
        }
        return false;
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

    /** Parse: statement name, query text and the parameter types the client declared (0 = unspecified). */
    public record ParseMessage(String statement, String query, int[] parameterTypes) {
    }

    public static ParseMessage readParse(Frame parse) {
        ByteBuf b = parse.body();
        String name = readCString(b);
        String query = readCString(b);
        int[] types = new int[b.readUnsignedShort()];
        for (int i = 0; i < types.length; i++) {
            types[i] = b.readInt();
        }
        return new ParseMessage(name, query, types);
    }

    /** Bind: portal, statement, parameter formats and values (raw bytes, null for NULL), result formats. */
    public record BindMessage(String portal, String statement, short[] parameterFormats, List<byte[]> values,
            short[] resultFormats) {

        /** The format of parameter i (0 text, 1 binary), applying the protocol's defaulting rules. */
        public int parameterFormat(int i) {
            return parameterFormats.length == 0 ? 0 : parameterFormats.length == 1 ? parameterFormats[0]
                    : parameterFormats[i];
        }

        /** The format of result column i (0 text, 1 binary). */
        public int resultFormat(int i) {
            return resultFormats.length == 0 ? 0 : resultFormats.length == 1 ? resultFormats[0] : resultFormats[i];
        }
    }

    public static BindMessage readBind(Frame bind) {
        ByteBuf b = bind.body();
        String portal = readCString(b);
        String statement = readCString(b);
        short[] formats = new short[b.readUnsignedShort()];
        for (int i = 0; i < formats.length; i++) {
            formats[i] = b.readShort();
        }
        int n = b.readUnsignedShort();
        List<byte[]> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.readInt();
            if (len < 0) {
                values.add(null);
            } else {
                byte[] v = new byte[len];
                b.readBytes(v);
                values.add(v);
            }
        }
        short[] results = new short[b.readUnsignedShort()];
        for (int i = 0; i < results.length; i++) {
            results[i] = b.readShort();
        }
        return new BindMessage(portal, statement, formats, values, results);
    }

    /** Describe, Close: the kind ('S' statement or 'P' portal) and the name. */
    public record Target(char kind, String name) {
    }

    public static Target readTarget(Frame describeOrClose) {
        ByteBuf b = describeOrClose.body();
        char kind = (char) b.readByte();
        return new Target(kind, readCString(b));
    }

    /** The portal an Execute names. */
    public static String readExecutePortal(Frame execute) {
        return readCString(execute.body());
    }

    /** The statement name of a Bind, without decoding the rest. */
    public static String bindStatement(Frame bind) {
        ByteBuf b = bind.body();
        readCString(b);
        return readCString(b);
    }

    // ------------------------------------------------------------------------------------ writing

    /** A message with no body: ParseComplete '1', BindComplete '2', CloseComplete '3', NoData 'n'. */
    public static ByteBuf empty(ByteBufAllocator alloc, char type) {
        return finish(start(alloc, (byte) type));
    }

    /** ParameterDescription with these type OIDs. */
    public static ByteBuf parameterDescription(ByteBufAllocator alloc, int[] types) {
        ByteBuf b = start(alloc, (byte) 't');
        b.writeShort(types.length);
        for (int t : types) {
            b.writeInt(t);
        }
        return finish(b);
    }

    /** RowDescription of one computed column (no table) of the given type, as a function call's result. */
    public static ByteBuf rowDescription(ByteBufAllocator alloc, String column, int typeOid, int typeLength,
            int format) {
        ByteBuf b = start(alloc, ROW_DESCRIPTION);
        b.writeShort(1);
        writeCString(b, column);
        b.writeInt(0).writeShort(0).writeInt(typeOid).writeShort(typeLength).writeInt(-1).writeShort(format);
        return finish(b);
    }

    /** RowDescription of several columns of one type (no table, variable length), all in one format. */
    public static ByteBuf rowDescription(ByteBufAllocator alloc, List<String> columns, int typeOid, int format) {
        ByteBuf b = start(alloc, ROW_DESCRIPTION);
        b.writeShort(columns.size());
        for (String column : columns) {
            writeCString(b, column);
            b.writeInt(0).writeShort(0).writeInt(typeOid).writeShort(-1).writeInt(-1).writeShort(format);
        }
        return finish(b);
    }

    /** DataRow of several values (null for SQL NULL). */
    public static ByteBuf dataRow(ByteBufAllocator alloc, List<byte[]> values) {
        ByteBuf b = start(alloc, DATA_ROW);
        b.writeShort(values.size());
        for (byte[] v : values) {
            if (v == null) {
                b.writeInt(-1);
            } else {
                b.writeInt(v.length).writeBytes(v);
            }
        }
        return finish(b);
    }

    /** DataRow of one value (its bytes; an empty value for void). */
    public static ByteBuf dataRow(ByteBufAllocator alloc, byte[] value) {
        ByteBuf b = start(alloc, DATA_ROW);
        b.writeShort(1);
        b.writeInt(value.length).writeBytes(value);
        return finish(b);
    }

    /** CommandComplete with its tag ("SELECT 1", "CALL"). */
    public static ByteBuf commandComplete(ByteBufAllocator alloc, String tag) {
        ByteBuf b = start(alloc, COMMAND_COMPLETE);
        writeCString(b, tag);
        return finish(b);
    }

    /** Query: one simple-protocol query string. */
    public static ByteBuf query(ByteBufAllocator alloc, String sql) {
        ByteBuf b = start(alloc, QUERY);
        writeCString(b, sql);
        return finish(b);
    }

    /** Parse of a statement (no parameter types given). */
    public static ByteBuf parse(ByteBufAllocator alloc, String statement, String sql) {
        ByteBuf b = start(alloc, (byte) 'P');
        writeCString(b, statement);
        writeCString(b, sql);
        b.writeShort(0);
        return finish(b);
    }

    /** Bind of a statement to a portal, with text parameters and text results. */
    public static ByteBuf bind(ByteBufAllocator alloc, String portal, String statement, List<String> parameters) {
        ByteBuf b = start(alloc, (byte) 'B');
        writeCString(b, portal);
        writeCString(b, statement);
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

    /** Describe of a portal. */
    public static ByteBuf describePortal(ByteBufAllocator alloc, String portal) {
        return target(alloc, 'D', 'P', portal);
    }

    /** Execute of a portal, all rows. */
    public static ByteBuf execute(ByteBufAllocator alloc, String portal) {
        ByteBuf b = start(alloc, (byte) 'E');
        writeCString(b, portal);
        b.writeInt(0);
        return finish(b);
    }

    /** Close of a statement ({@code kind} 'S') or portal ('P'). */
    public static ByteBuf close(ByteBufAllocator alloc, char kind, String name) {
        return target(alloc, 'C', kind, name);
    }

    private static ByteBuf target(ByteBufAllocator alloc, char type, char kind, String name) {
        ByteBuf b = start(alloc, (byte) type);
        b.writeByte(kind);
        writeCString(b, name);
        return finish(b);
    }

    /** CopyFail: the client ends a COPY FROM STDIN with an error message. */
    public static ByteBuf copyFail(ByteBufAllocator alloc, String message) {
        ByteBuf b = start(alloc, (byte) 'f');
        writeCString(b, message);
        return finish(b);
    }

    public static ByteBuf flush(ByteBufAllocator alloc) {
        return finish(start(alloc, (byte) 'H'));
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
