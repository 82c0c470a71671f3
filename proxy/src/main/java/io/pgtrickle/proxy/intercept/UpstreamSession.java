package io.pgtrickle.proxy.intercept;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

/**
 * The engine's {@link Session} over a client's own upstream connection (DESIGN §1): the engine's
 * statements run there, as the client's user and inside the client's transaction. Runs on an
 * interception thread; the server's answers arrive through the queue the relay fills meanwhile.
 * Parameters go as text in the extended protocol; statements without parameters as simple Queries.
 */
final class UpstreamSession implements Session {
    /**
     * The statement and portal name of the engine's own parameterised statements, closed right after
     * use: the client's unnamed statement and portal stay as the client left them.
     */
    static final String ENGINE_STATEMENT = "_pgtrickle_engine";

    private final Channel upstream;
    private final BlockingQueue<Frame> answers;
    private char status;
    /** The connection was lost: every later exchange fails at once (an engine may still try a ROLLBACK). */
    private boolean lost;

    UpstreamSession(Channel upstream, BlockingQueue<Frame> answers, char status) {
        this.upstream = upstream;
        this.answers = answers;
        this.status = status;
    }

    char status() {
        return status;
    }

    @Override
    public List<Row> query(String sql, Object... params) throws SQLException {
        List<Frame> frames = params.length == 0 ? exchange(Messages.query(alloc(), sql)) : extended(sql, params);
        try {
            throwIfError(frames);
            List<List<Row>> statements = statements(frames);
            return statements.isEmpty() ? List.of() : statements.get(statements.size() - 1);
        } finally {
            release(frames);
        }
    }

    /** Each statement's rows: those before its CommandComplete (or EmptyQueryResponse). */
    private static List<List<Row>> statements(List<Frame> frames) {
        List<List<Row>> out = new ArrayList<>();
        List<String> columns = List.of();
        List<List<String>> values = new ArrayList<>();
        for (Frame f : frames) {
            if (f.type() == Messages.ROW_DESCRIPTION) {
                columns = Messages.columnNames(f);
            } else if (f.type() == Messages.DATA_ROW) {
                values.add(Messages.rowValues(f));
            } else if (f.type() == Messages.COMMAND_COMPLETE || f.type() == Messages.EMPTY_QUERY_RESPONSE) {
                out.add(Row.all(columns, values));
                columns = List.of();
                values = new ArrayList<>();
            }
        }
        return out;
    }

    @Override
    public long update(String sql, Object... params) throws SQLException {
        List<Frame> frames = params.length == 0 ? exchange(Messages.query(alloc(), sql)) : extended(sql, params);
        try {
            throwIfError(frames);
            long count = 0;
            for (Frame f : frames) {
                if (f.type() == Messages.COMMAND_COMPLETE) {
                    String tag = Messages.readCString(f.body());
                    String last = tag.substring(tag.lastIndexOf(' ') + 1);
                    count = last.chars().allMatch(Character::isDigit) && !last.isEmpty() ? Long.parseLong(last) : 0;
                }
            }
            return count;
        } finally {
            release(frames);
        }
    }

    @Override
    public void script(String sql) throws SQLException {
        List<Frame> frames = exchange(Messages.query(alloc(), sql));
        try {
            throwIfError(frames);
        } finally {
            release(frames);
        }
    }

    /** One simple Query. */
    @Override
    public List<List<Row>> results(String sql) throws SQLException {
        List<Frame> frames = exchange(Messages.query(alloc(), sql));
        try {
            throwIfError(frames);
            return statements(frames);
        } finally {
            release(frames);
        }
    }

    @Override
    public boolean inTransactionBlock() {
        return status != 'I';
    }

    /**
     * Sends messages ending in Query or Sync and returns every answer up to and including the
     * ReadyForQuery, whose status it keeps. A COPY FROM STDIN among them (a client's statement next to
     * a call) is refused with CopyFail: the proxy answers the call, so no data could follow. The caller
     * releases the frames.
     */
    List<Frame> exchange(ByteBuf... messages) throws SQLException {
        return converse(messages, f -> f.type() == Messages.READY_FOR_QUERY);
    }

    /**
     * Relays one of the client's own extended-protocol messages (Parse, Bind, Describe, Execute or
     * Close; never Sync) inside a batch the proxy answers, with a Flush, and returns the server's answers
     * to it: up to the one that completes it, or an error (the server then skips to the Sync). A COPY
     * FROM STDIN started there is refused with CopyFail, as it cannot be fed. The caller keeps the
     * frame and releases the answers.
     */
    List<Frame> relay(Frame message) throws SQLException {
        byte request = message.type();
        return converse(new ByteBuf[] {message.bytes().retainedDuplicate(), Messages.flush(alloc())},
                answer -> completes(request, answer.type()));
    }

    /**
     * The answers still due for {@code count} messages relayed to the server before the proxy took the
     * batch over (a Flush has the server send them): up to {@code count} completions, or an error.
     */
    List<Frame> answersDue(int count) throws SQLException {
        int[] left = {count};
        return converse(new ByteBuf[] {Messages.flush(alloc())}, answer -> answer.type() == Messages.ERROR_RESPONSE
                || (completesAny(answer.type()) && --left[0] == 0));
    }

    private static boolean completesAny(byte answer) {
        return switch (answer) {
            case '1', '2', '3', 'n', 's', Messages.ROW_DESCRIPTION, Messages.COMMAND_COMPLETE,
                    Messages.EMPTY_QUERY_RESPONSE -> true;
            default -> false;
        };
    }

    /**
     * Starts a transaction block unless the session is in one already, which the cached status cannot
     * tell after messages relayed without a Sync (pgjdbc's BEGIN): PostgreSQL answers BEGIN inside a
     * block with the warning 25001 only. True when this call started the block. A transaction the
     * server started implicitly for statements of the batch becomes this block, statements included.
     */
    boolean beginUnlessInBlock() throws SQLException {
        List<Frame> frames = exchange(Messages.query(alloc(), "BEGIN"));
        try {
            throwIfError(frames);
            for (Frame f : frames) {
                if (f.type() == Messages.NOTICE_RESPONSE && "25001".equals(Messages.fields(f).get('C'))) {
                    return false;
                }
            }
            return true;
        } finally {
            release(frames);
        }
    }

    private static boolean completes(byte request, byte answer) {
        if (answer == Messages.ERROR_RESPONSE) {
            return true;
        }
        return switch (request) {
            case 'P' -> answer == '1';
            case 'B' -> answer == '2';
            case 'D' -> answer == Messages.ROW_DESCRIPTION || answer == 'n';
            case 'E' -> answer == Messages.COMMAND_COMPLETE || answer == Messages.EMPTY_QUERY_RESPONSE || answer == 's';
            case 'C' -> answer == '3';
            default -> true;
        };
    }

    private List<Frame> converse(ByteBuf[] messages, java.util.function.Predicate<Frame> last) throws SQLException {
        if (lost || !upstream.isActive()) {
            lost = true;
            for (ByteBuf m : messages) {
                m.release();
            }
            throw new PSQLException("the connection to the PostgreSQL server was lost", PSQLState.CONNECTION_FAILURE);
        }
        for (ByteBuf m : messages) {
            upstream.write(m);
        }
        upstream.flush();
        List<Frame> frames = new ArrayList<>();
        while (true) {
            Frame f;
            try {
                f = answers.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release(frames);
                throw new PSQLException("interrupted while waiting for the server", PSQLState.CONNECTION_FAILURE, e);
            }
            if (f == Interceptor.CONNECTION_LOST) {
                lost = true;
                release(frames);
                throw new PSQLException("the connection to the PostgreSQL server was lost", PSQLState.CONNECTION_FAILURE);
            }
            if (f.type() == 'G') { // CopyInResponse: the server waits for data nobody will send
                f.release();
                upstream.writeAndFlush(Messages.copyFail(alloc(),
                        "COPY FROM STDIN is not supported next to pgtrickle calls: send it as a statement of its own"));
                continue;
            }
            frames.add(f);
            if (last.test(f)) {
                if (f.type() == Messages.READY_FOR_QUERY) {
                    status = Messages.readyStatus(f);
                }
                return frames;
            }
        }
    }

    /** Has the server raise an error (aborting the transaction block); returns its answers. */
    List<Frame> exchangeRaise(String sqlState, String message, String detail, String hint) throws SQLException {
        return extended(io.pgtrickle.sql.frontdoor.CallResults.RAISE_SQL, new Object[] {sqlState, message, detail, hint});
    }

    private List<Frame> extended(String sql, Object[] params) throws SQLException {
        List<String> text = new ArrayList<>(params.length);
        for (Object p : params) {
            text.add(p == null ? null : p.toString());
        }
        // a statement left open by an earlier error (which skips the closing messages) is closed first
        return exchange(Messages.close(alloc(), 'S', ENGINE_STATEMENT), Messages.parse(alloc(), ENGINE_STATEMENT, numbered(sql)),
                Messages.bind(alloc(), ENGINE_STATEMENT, ENGINE_STATEMENT, text),
                Messages.describePortal(alloc(), ENGINE_STATEMENT), Messages.execute(alloc(), ENGINE_STATEMENT),
                Messages.close(alloc(), 'P', ENGINE_STATEMENT), Messages.close(alloc(), 'S', ENGINE_STATEMENT),
                Messages.sync(alloc()));
    }

    /** The engine writes parameters as JDBC's {@code ?}; the protocol wants {@code $1, $2, ...}. */
    static String numbered(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int last = 0;
        int n = 0;
        for (Token t : Lexer.tokenize(sql, true)) {
            if (t.is(TokenKind.JDBC_PARAMETER)) {
                out.append(sql, last, t.start()).append('$').append(++n);
                last = t.end();
            }
        }
        return out.append(sql, last, sql.length()).toString();
    }

    private static void throwIfError(List<Frame> frames) throws SQLException {
        for (Frame f : frames) {
            if (f.type() == Messages.ERROR_RESPONSE) {
                throw new PSQLException(new ServerErrorMessage(Messages.fieldText(f)));
            }
        }
    }

    static void release(List<Frame> frames) {
        for (Frame f : frames) {
            f.release();
        }
    }

    private ByteBufAllocator alloc() {
        return upstream.alloc();
    }
}
