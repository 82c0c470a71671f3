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
     * names it (nothing for the CALL form, as for a procedure), raising the call's notices on the way.
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
        return "SELECT pgtrickle._void_result(" + notices + ") AS " + Identifiers.quote(call.resultColumn());
    }
}
