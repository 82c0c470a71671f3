package io.pgtrickle.sql.frontdoor;

import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.engine.Notice;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.recognize.Call;
import io.pgtrickle.sql.recognize.CallForm;
import java.util.ArrayList;
import java.util.List;

/**
 * What a front door runs on the server to answer a call as PostgreSQL would. The server itself
 * produces the result (so its shape, types and notices are exactly PostgreSQL's) and raises the
 * errors (so the transaction ends up as PostgreSQL would leave it).
 */
public final class CallResults {
    /** Raises an error with SQLSTATE, message, detail and hint given as the four parameters. */
    public static final String RAISE_SQL = "SELECT pgtrickle._raise(?, ?, ?, ?)";

    private CallResults() {
    }

    /**
     * The statement whose result is the call's result: one row, one void column named as PostgreSQL
     * names it (nothing for the CALL form, as for a procedure), or for a function that returns a table
     * its rows (its columns, or one record column when called in a select list), raising the call's
     * notices on the way.
     */
    public static String resultSql(Call call, Outcome outcome) {
        List<String> flat = new ArrayList<>();
        for (Notice n : outcome.notices()) {
            flat.add(n.level().name());
            flat.add(n.sqlState());
            flat.add(n.message());
            flat.add(n.hint() == null ? "" : n.hint());
        }
        String notices = flat.isEmpty() ? "" : Identifiers.literal(Identifiers.textArray(flat)) + "::text[]";
        if (call.form() == CallForm.CALL) {
            return "CALL pgtrickle._call_result(" + notices + ")";
        }
        List<String> columns = call.function().resultColumns();
        if (!columns.isEmpty()) {
            String rows = rows(columns, outcome.rows());
            return call.form() == CallForm.SELECT // one record column, as for a set-returning function in a select list
                    ? "SELECT v AS " + Identifiers.quote(call.resultColumn()) + " FROM pgtrickle._void_result(" + notices
                            + ") n, " + rows
                    : "SELECT v.* FROM pgtrickle._void_result(" + notices + ") n, " + rows;
        }
        return "SELECT pgtrickle._void_result(" + notices + ") AS " + Identifiers.quote(call.resultColumn());
    }

    /** {@code (VALUES (...), ...) AS v("c1", ...)}: the rows as text, or none. */
    private static String rows(List<String> columns, List<List<String>> rows) {
        StringBuilder names = new StringBuilder();
        StringBuilder empty = new StringBuilder();
        for (String c : columns) {
            names.append(names.length() == 0 ? "" : ", ").append(Identifiers.quote(c));
            empty.append(empty.length() == 0 ? "" : ", ").append("NULL::text");
        }
        if (rows.isEmpty()) {
            return "(SELECT " + empty + " WHERE false) AS v(" + names + ")";
        }
        StringBuilder values = new StringBuilder("(VALUES ");
        for (int r = 0; r < rows.size(); r++) {
            values.append(r == 0 ? "(" : ", (");
            for (int i = 0; i < columns.size(); i++) {
                String v = rows.get(r).get(i);
                values.append(i == 0 ? "" : ", ").append(v == null ? "NULL::text" : Identifiers.literal(v) + "::text");
            }
            values.append(')');
        }
        return values.append(") AS v(").append(names).append(')').toString();
    }
}
