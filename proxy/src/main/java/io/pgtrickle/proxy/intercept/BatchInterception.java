package io.pgtrickle.proxy.intercept;

import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.relay.ProxyConnection;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.frontdoor.ScriptPlan;
import io.pgtrickle.sql.recognize.Call;
import io.pgtrickle.sql.recognize.CallForm;
import io.pgtrickle.sql.recognize.ParameterStyle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;

/**
 * An extended-protocol batch (Parse, Bind, Describe, Execute, Close, ... up to Sync) holding pgtrickle
 * calls, answered message by message in order. Messages of calls are answered as the server would:
 * ParseComplete, BindComplete, ParameterDescription and RowDescription (one void column named as
 * PostgreSQL names it, or NoData for CALL; a table's columns for validate_query, {@link TableResult}), a
 * DataRow (or the table's rows) and CommandComplete per Execute, CloseComplete.
 * The batch's other messages (a pipeline mixing calls and statements) go to the server one at a time,
 * each with a Flush, and its answers to the client, so everything is answered in order. After an error,
 * messages up to the Sync are skipped. Several Executes outside a transaction block form one implicit
 * transaction, as they would on the server. A batch that the client cuts with a Flush is answered up
 * to the Flush, without ReadyForQuery; after an error there, the relay skips the client's messages up
 * to its Sync and answers that with ReadyForQuery, as the server would.
 */
final class BatchInterception extends InterceptionBase {
    private static final int TEXT = 25;
    private static final int VOID = 2278;

    private final List<Frame> batch;
    private final PreparedCalls calls;
    /** Messages of this batch relayed to the server before the proxy took it over; their answers are due. */
    private final int afterUnsynced;
    /** Messages of the batch went to the server since its last Sync: one must close them. */
    private boolean relayed;
    /** Answering stopped at an error. */
    private boolean failed;

    BatchInterception(Engine engine, ProxyConnection connection, BlockingQueue<Frame> answers, List<Frame> batch,
            int afterUnsynced) {
        super(engine, connection, answers);
        this.batch = batch;
        this.calls = connection.preparedCalls;
        this.afterUnsynced = afterUnsynced;
    }

    @Override
    void answer() throws SQLException {
        try {
            boolean ok = true;
            if (afterUnsynced > 0) { // pgjdbc's BEGIN, or a pipeline's first statements, came before the first call
                relayed = true;
                ok = forward(session.answersDue(afterUnsynced));
            }
            long executes = batch.stream().filter(f -> f.type() == 'E').count() + (afterUnsynced > 0 ? 1 : 0);
            boolean implicit = false;
            if (ok && executes > 1) { // one implicit transaction, as on the server
                if (afterUnsynced > 0) {
                    implicit = session.beginUnlessInBlock(); // takes in what the server ran of the batch
                } else if (!session.inTransactionBlock()) {
                    session.script("BEGIN");
                    implicit = true;
                }
            }
            for (Frame f : batch) {
                if (ok) {
                    try {
                        ok = answer(f);
                    } catch (PgTrickleException e) {
                        sendError(e.sqlState().code(), e.getMessage(), e.detail(), e.hint());
                        ok = false;
                    }
                }
            }
            if (relayed) { // the server's part of the batch ends with a Sync of its own
                ok &= forward(session.exchange(Messages.sync(client.alloc())));
            }
            if (implicit) {
                session.script(ok ? "COMMIT" : "ROLLBACK");
            }
            failed = !ok;
        } finally {
            for (Frame f : batch) {
                f.release();
            }
        }
    }

    /** A batch cut at a Flush (a cursor's Execute + Flush, say) is answered without ReadyForQuery. */
    @Override
    boolean endsWithSync() {
        return batch.get(batch.size() - 1).type() == 'S';
    }

    @Override
    boolean failed() {
        return failed;
    }

    /** Answers one message; false after an error (the rest up to Sync is skipped). */
    private boolean answer(Frame f) throws SQLException {
        switch (f.type()) {
            case 'P' -> {
                Messages.ParseMessage parse = Messages.readParse(f);
                Call call = ScriptPlan.recognize(parse.query(), ParameterStyle.NATIVE).orElse(null);
                if (call == null) {
                    return relay(f);
                }
                calls.statements.put(parse.statement(), new PreparedCalls.Statement(call, parse.parameterTypes()));
                client.write(Messages.empty(client.alloc(), '1'));
            }
            case 'B' -> {
                Messages.BindMessage bind = Messages.readBind(f);
                PreparedCalls.Statement statement = calls.statements.get(bind.statement());
                if (statement == null) {
                    return relay(f);
                }
                calls.portals.put(bind.portal(), new PreparedCalls.Portal(statement, values(bind, statement), bind));
                client.write(Messages.empty(client.alloc(), '2'));
            }
            case 'D' -> {
                return describe(f, Messages.readTarget(f));
            }
            case 'E' -> {
                String name = Messages.readExecutePortal(f);
                PreparedCalls.Portal portal = calls.portals.get(name);
                return portal == null ? relay(f) : execute(name, portal);
            }
            case 'C' -> {
                Messages.Target t = Messages.readTarget(f);
                if ((t.kind() == 'S' ? calls.statements : calls.portals).remove(t.name()) == null) {
                    return relay(f);
                }
                client.write(Messages.empty(client.alloc(), '3'));
            }
            case 'H' -> client.flush();
            default -> {
                // Sync ends the batch: the ReadyForQuery is sent by the base class
            }
        }
        return true;
    }

    private boolean describe(Frame f, Messages.Target target) throws SQLException {
        if (target.kind() == 'S') {
            PreparedCalls.Statement statement = calls.statements.get(target.name());
            if (statement == null) {
                return relay(f);
            }
            int[] types = new int[statement.call().parameterCount()];
            for (int i = 0; i < types.length; i++) {
                int declared = i < statement.parameterTypes().length ? statement.parameterTypes()[i] : 0;
                types[i] = declared == 0 ? TEXT : declared;
            }
            client.write(Messages.parameterDescription(client.alloc(), types));
            rowDescription(statement.call(), 0);
        } else {
            PreparedCalls.Portal portal = calls.portals.get(target.name());
            if (portal == null) {
                return relay(f);
            }
            rowDescription(portal.statement().call(), portal.bind().resultFormat(0));
        }
        return true;
    }

    private void rowDescription(Call call, int format) {
        client.write(call.form() == CallForm.CALL ? Messages.empty(client.alloc(), 'n')
                : !call.function().resultColumns().isEmpty() ? TableResult.rowDescription(client.alloc(), call, format)
                : Messages.rowDescription(client.alloc(), call.resultColumn(), VOID, 4, format));
    }

    private boolean execute(String name, PreparedCalls.Portal portal) throws SQLException {
        Call call = portal.statement().call();
        if (portal.done()) { // as the server: a finished SELECT portal yields no more rows, a CALL cannot rerun
            if (call.form() == CallForm.CALL) {
                sendError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE.code(), "portal \"" + name + "\" cannot be run",
                        null, null);
                return false;
            }
            client.write(Messages.commandComplete(client.alloc(), "SELECT 0"));
            return true;
        }
        portal.markDone();
        Command command = bindOrReport(call, portal.values());
        Outcome outcome = command == null ? null : runOrReport(command);
        if (outcome == null) {
            return false;
        }
        if (!outcome.notices().isEmpty()) {
            // the server raises the call's notices; only they are the client's
            for (Frame n : session.exchange(Messages.query(client.alloc(), CallResults.resultSql(call, outcome)))) {
                if (n.type() == Messages.NOTICE_RESPONSE) {
                    client.write(n.bytes());
                } else {
                    n.release();
                }
            }
        }
        if (call.form() == CallForm.CALL) {
            client.write(Messages.commandComplete(client.alloc(), "CALL"));
        } else if (!call.function().resultColumns().isEmpty()) {
            int format = portal.bind().resultFormat(0);
            for (List<String> row : outcome.rows()) {
                client.write(TableResult.dataRow(client.alloc(), call, row, format));
            }
            client.write(Messages.commandComplete(client.alloc(), "SELECT " + outcome.rows().size()));
        } else {
            client.write(Messages.dataRow(client.alloc(), new byte[0]));
            client.write(Messages.commandComplete(client.alloc(), "SELECT 1"));
        }
        return true;
    }

    /** A message of the batch that is not a call's: the server answers it, in its place in the batch. */
    private boolean relay(Frame f) throws SQLException {
        calls.forgetOnRelay(f);
        relayed = true;
        return forward(session.relay(f));
    }

    /** The Bind's parameter values as text; binary values are decoded for the common types. */
    private static List<String> values(Messages.BindMessage bind, PreparedCalls.Statement statement) {
        List<String> out = new ArrayList<>(bind.values().size());
        for (int i = 0; i < bind.values().size(); i++) {
            byte[] v = bind.values().get(i);
            int type = i < statement.parameterTypes().length ? statement.parameterTypes()[i] : 0;
            out.add(v == null ? null : bind.parameterFormat(i) == 0 ? new String(v, StandardCharsets.UTF_8)
                    : binary(v, type));
        }
        return out;
    }

    private static String binary(byte[] v, int type) {
        ByteBuffer b = ByteBuffer.wrap(v);
        return switch (type) {
            case 16 -> v[0] != 0 ? "true" : "false";
            case 21 -> String.valueOf(b.getShort());
            case 23 -> String.valueOf(b.getInt());
            case 20 -> String.valueOf(b.getLong());
            case 700 -> String.valueOf(b.getFloat());
            case 701 -> String.valueOf(b.getDouble());
            case 0, 19, 25, 705, 1042, 1043 -> new String(v, StandardCharsets.UTF_8);
            default -> throw new PgTrickleException(SqlState.FEATURE_NOT_SUPPORTED,
                    "binary parameters of type " + type + " are not supported in pgtrickle calls", null,
                    "Send the parameter in text format.");
        };
    }
}
