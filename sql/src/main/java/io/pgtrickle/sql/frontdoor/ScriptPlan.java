package io.pgtrickle.sql.frontdoor;

import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Statements;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.recognize.Call;
import io.pgtrickle.sql.recognize.ParameterStyle;
import io.pgtrickle.sql.recognize.Recognizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * SQL text as a front door must run it: its statements in order, each with the pgtrickle call it is
 * (if any). Only texts that hold at least one call get a plan; anything else passes through untouched.
 * A statement that breaks PostgreSQL's argument rules is left to PostgreSQL, which rejects it itself.
 */
public record ScriptPlan(List<Part> parts) {

    /** One statement, and its call when it is one. */
    public record Part(String sql, Call call) {
        public boolean isCall() {
            return call != null;
        }
    }

    private static final Set<String> TRANSACTION_CONTROL =
            Set.of("begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "prepare");

    /** The plan of a text without parameters (a simple Query, a Statement's SQL), or empty when not ours. */
    public static Optional<ScriptPlan> of(String sql) {
        if (!Recognizer.mayContainCall(sql)) {
            return Optional.empty();
        }
        List<String> texts = Statements.split(sql);
        List<Part> parts = new ArrayList<>(texts.size());
        boolean any = false;
        for (String text : texts) {
            Call call = recognize(text, ParameterStyle.NATIVE).filter(c -> c.parameterCount() == 0).orElse(null);
            any |= call != null;
            parts.add(new Part(text, call));
        }
        return any ? Optional.of(new ScriptPlan(List.copyOf(parts))) : Optional.empty();
    }

    /** The call a single statement is, or empty; argument-rule violations are left to PostgreSQL. */
    public static Optional<Call> recognize(String statement, ParameterStyle style) {
        try {
            return Recognizer.recognize(statement, style);
        } catch (PgTrickleException e) {
            return Optional.empty();
        }
    }

    /** True for one call alone. */
    public boolean single() {
        return parts.size() == 1;
    }

    /** True when a statement manages transactions itself (BEGIN, COMMIT, SAVEPOINT, ...). */
    public boolean controlsTransactions() {
        for (Part p : parts) {
            List<Token> tokens = Lexer.significantTokens(p.sql(), false);
            if (!tokens.isEmpty() && TRANSACTION_CONTROL.contains(tokens.get(0).folded())) {
                return true;
            }
        }
        return false;
    }
}
