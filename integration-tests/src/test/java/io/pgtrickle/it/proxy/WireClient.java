package io.pgtrickle.it.proxy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A raw protocol client for tests that must see exactly what the proxy sends: startup (trust
 * authentication), simple Query messages, and the messages that come back, including a FATAL error
 * the proxy sends before it closes.
 */
final class WireClient implements AutoCloseable {
    /** One backend message: its type and, for ErrorResponse / NoticeResponse, the fields. */
    record Message(char type, byte[] body) {
        /** The tag of a CommandComplete. */
        String tag() {
            return new String(body, 0, body.length - 1, StandardCharsets.UTF_8);
        }

        Map<Character, String> fields() {
            Map<Character, String> out = new LinkedHashMap<>();
            int at = 0;
            while (at < body.length && body[at] != 0) {
                int end = at + 1;
                while (body[end] != 0) {
                    end++;
                }
                out.put((char) body[at], new String(body, at + 1, end - at - 1, StandardCharsets.UTF_8));
                at = end + 1;
            }
            return out;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    /** The transaction status of the last ReadyForQuery. */
    private char status;

    private WireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Connects and logs in (up to the first ReadyForQuery). */
    static WireClient login(int port, String user, String database) throws IOException {
        WireClient c = new WireClient(new Socket("127.0.0.1", port));
        c.socket.setSoTimeout(20_000);
        byte[] params = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        c.out.writeInt(8 + params.length);
        c.out.writeInt(196608);
        c.out.write(params);
        c.out.flush();
        c.untilReady();
        return c;
    }

    /** Sends one simple Query and reads up to its ReadyForQuery; returns the status it reports. */
    char query(String sql) throws IOException {
        send(sql);
        return untilReady();
    }

    /** Sends one simple Query without waiting for the answer. */
    void send(String sql) throws IOException {
        byte[] body = (sql + "\0").getBytes(StandardCharsets.UTF_8);
        out.writeByte('Q');
        out.writeInt(4 + body.length);
        out.write(body);
        out.flush();
    }

    /** Sends Parse of {@code sql} as the unnamed statement, with no parameter types declared. */
    void parse(String sql) throws IOException {
        message('P', cstring("") + cstring(sql), new byte[] {0, 0});
    }

    /** Sends Bind of the unnamed statement to the unnamed portal: no parameters, text results. */
    void bind() throws IOException {
        message('B', cstring("") + cstring(""), new byte[] {0, 0, 0, 0, 0, 0});
    }

    /** Sends Execute of the unnamed portal, all rows. */
    void execute() throws IOException {
        message('E', cstring(""), new byte[] {0, 0, 0, 0});
    }

    /** Sends Flush: the server (or the proxy) sends what it has, without ReadyForQuery. */
    void flush() throws IOException {
        message('H', "", new byte[0]);
        out.flush();
    }

    /** Sends Sync. */
    void sync() throws IOException {
        message('S', "", new byte[0]);
        out.flush();
    }

    private static String cstring(String s) {
        return s + "\0";
    }

    private void message(char type, String text, byte[] tail) throws IOException {
        byte[] head = text.getBytes(StandardCharsets.UTF_8);
        out.writeByte(type);
        out.writeInt(4 + head.length + tail.length);
        out.write(head);
        out.write(tail);
    }

    /** Reads messages up to and including ReadyForQuery, whatever they are. */
    java.util.List<Message> untilReadyMessages() throws IOException {
        java.util.List<Message> out = new java.util.ArrayList<>();
        while (true) {
            Message m = next();
            if (m == null) {
                throw new EOFException("closed before ReadyForQuery");
            }
            out.add(m);
            if (m.type() == 'Z') {
                status = (char) m.body()[0];
                return out;
            }
        }
    }

    /** Reads messages up to ReadyForQuery; returns its transaction status. An ErrorResponse fails. */
    char untilReady() throws IOException {
        while (true) {
            Message m = next();
            if (m.type() == 'E') {
                throw new IOException("error from the server: " + m.fields());
            }
            if (m.type() == 'Z') {
                status = (char) m.body()[0];
                return status;
            }
        }
    }

    /** The next message, or null when the connection is closed. */
    Message next() throws IOException {
        byte type;
        try {
            type = in.readByte();
        } catch (EOFException closed) {
            return null;
        }
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        return new Message((char) type, body);
    }

    /**
     * Waits for the proxy to end the session: the FATAL ErrorResponse it sends, after which the
     * connection must close. Fails when anything else comes or the connection closes unexplained.
     */
    Map<Character, String> fatalThenClose() throws IOException {
        Message m = next();
        if (m == null || m.type() != 'E') {
            throw new AssertionError("expected a FATAL ErrorResponse, got " + (m == null ? "a close" : m.type()));
        }
        Message after = next();
        if (after != null) {
            throw new AssertionError("the connection stayed open after the FATAL error: got " + after.type());
        }
        return m.fields();
    }

    /** The transaction status of the last ReadyForQuery. */
    char status() {
        return status;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
