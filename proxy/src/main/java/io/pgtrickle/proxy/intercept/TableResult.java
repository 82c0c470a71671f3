package io.pgtrickle.proxy.intercept;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.sql.recognize.Call;
import io.pgtrickle.sql.recognize.CallForm;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The extended-protocol answer of a call that returns a table ({@code validate_query}), as the server
 * would give it: in FROM ({@code SELECT * FROM f(...)}, a JDBC escape) its text columns; in a select list
 * ({@code SELECT f(...)}) one column of type record, whose text form is {@code (a,b,c)} with PostgreSQL's
 * quoting and whose binary form is the record's (column count, then type oid, length and bytes per column).
 */
final class TableResult {
    private static final int TEXT = 25;
    private static final int RECORD = 2249;

    private TableResult() {
    }

    static ByteBuf rowDescription(ByteBufAllocator alloc, Call call, int format) {
        return call.form() == CallForm.SELECT
                ? Messages.rowDescription(alloc, List.of(call.resultColumn()), RECORD, format)
                : Messages.rowDescription(alloc, call.function().resultColumns(), TEXT, format);
    }

    static ByteBuf dataRow(ByteBufAllocator alloc, Call call, List<String> row, int format) {
        if (call.form() != CallForm.SELECT) {
            List<byte[]> values = new ArrayList<>(row.size());
            row.forEach(v -> values.add(v == null ? null : v.getBytes(StandardCharsets.UTF_8)));
            return Messages.dataRow(alloc, values); // text is the same bytes in both formats
        }
        List<byte[]> one = new ArrayList<>(1);
        one.add(format == 0 ? recordText(row) : recordBinary(row));
        return Messages.dataRow(alloc, one);
    }

    /** {@code (a,"b c",)}: a value quoted when empty or holding a comma, parenthesis, quote, backslash or space. */
    static byte[] recordText(List<String> row) {
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < row.size(); i++) {
            String v = row.get(i);
            out.append(i == 0 ? "" : ",");
            if (v == null) {
                continue;
            }
            boolean quote = v.isEmpty() || v.chars().anyMatch(c -> c == ',' || c == '(' || c == ')' || c == '"'
                    || c == '\\' || Character.isWhitespace(c));
            if (quote) {
                out.append('"').append(v.replace("\\", "\\\\").replace("\"", "\"\"")).append('"');
            } else {
                out.append(v);
            }
        }
        return out.append(')').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] recordBinary(List<String> row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(4).putInt(row.size()).array());
        for (String v : row) {
            byte[] bytes = v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(8).putInt(TEXT).putInt(bytes == null ? -1 : bytes.length).array());
            if (bytes != null) {
                out.writeBytes(bytes);
            }
        }
        return out.toByteArray();
    }
}
