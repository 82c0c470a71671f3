package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.lex.Literals;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Matches the significant tokens of one statement against the call shapes {@link Recognizer} accepts.
 * Any mismatch means "not ours" ({@link NotOurs}); the only errors raised are the syntax errors
 * PostgreSQL itself would raise for an otherwise recognised call.
 */
final class CallParser {
    /** Words that cannot be a bare column alias (PostgreSQL's reserved keywords). */
    private static final Set<String> RESERVED = io.pgtrickle.sql.lex.Keywords.RESERVED;

    /** Thrown inside the parser when the statement is not one of ours; never escapes it. */
    private static final class NotOurs extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotOurs() {
            super(null, null, false, false);
        }
    }

    private final List<Token> tokens;
    private final ParameterStyle style;
    private int pos;
    private int jdbcParameters;
    private int highestParameter;

    private CallParser(List<Token> tokens, ParameterStyle style) {
        this.tokens = tokens;
        this.style = style;
    }

    /** The call the tokens (no whitespace or comments, no trailing semicolons) spell, if any. */
    static Optional<Call> parse(List<Token> tokens, ParameterStyle style) {
        try {
            return Optional.of(new CallParser(tokens, style).statement());
        } catch (NotOurs e) {
            return Optional.empty();
        }
    }

    private Call statement() {
        CallForm form;
        if (acceptKeyword("select")) {
            form = accept(TokenKind.OPERATOR, "*") ? CallForm.SELECT_FROM : CallForm.SELECT;
            if (form == CallForm.SELECT_FROM) {
                expectKeyword("from");
            }
        } else if (acceptKeyword("call")) {
            form = CallForm.CALL;
        } else if (style == ParameterStyle.JDBC && accept(TokenKind.LEFT_BRACE)) {
            expectKeyword("call");
            form = CallForm.JDBC_ESCAPE;
        } else {
            throw new NotOurs();
        }
        PgTrickleFunction function = functionName();
        List<Argument> arguments = arguments();
        String column = function.sqlName();
        if (form == CallForm.JDBC_ESCAPE) {
            expect(TokenKind.RIGHT_BRACE);
            column = "result";
        } else if (form != CallForm.CALL) {
            column = alias().orElse(column);
        }
        if (pos != tokens.size()) {
            throw new NotOurs();
        }
        checkNotation(arguments);
        return new Call(function, arguments, column, form, highestParameter);
    }

    private PgTrickleFunction functionName() {
        String schema = identifier();
        expect(TokenKind.DOT);
        String name = identifier();
        if (!schema.equals(PgTrickleFunction.SCHEMA)) {
            throw new NotOurs();
        }
        return PgTrickleFunction.bySqlName(name).orElseThrow(NotOurs::new);
    }

    private Optional<String> alias() {
        if (acceptKeyword("as")) {
            return Optional.of(identifier());
        }
        if (pos < tokens.size() && peek().is(TokenKind.IDENTIFIER) && !RESERVED.contains(peek().folded())
                || pos < tokens.size() && peek().is(TokenKind.QUOTED_IDENTIFIER)) {
            return Optional.of(identifier());
        }
        return Optional.empty();
    }

    private List<Argument> arguments() {
        expect(TokenKind.LEFT_PAREN);
        List<Argument> arguments = new ArrayList<>();
        if (accept(TokenKind.RIGHT_PAREN)) {
            return arguments;
        }
        do {
            arguments.add(argument());
        } while (accept(TokenKind.COMMA));
        expect(TokenKind.RIGHT_PAREN);
        return arguments;
    }

    private Argument argument() {
        String name = null;
        if (pos + 1 < tokens.size() && (peek().is(TokenKind.IDENTIFIER) || peek().is(TokenKind.QUOTED_IDENTIFIER))
                && (tokens.get(pos + 1).is(TokenKind.ARROW) || tokens.get(pos + 1).is(TokenKind.COLON_EQUALS))) {
            name = identifier();
            pos++;
        }
        Typed v = value();
        return new Argument(name, v.value, v.type);
    }

    private record Typed(ArgumentValue value, String type) {
    }

    /** A constant or parameter, with any number of {@code ::type} casts after it. */
    private Typed value() {
        Typed v = primary();
        while (accept(TokenKind.CAST)) {
            v = new Typed(v.value, type());
        }
        return v;
    }

    private Typed primary() {
        Token t = next();
        switch (t.kind()) {
            case STRING, ESCAPE_STRING, BIT_STRING, DOLLAR_STRING, UNICODE_STRING -> {
                char escape = Literals.DEFAULT_UESCAPE;
                if (t.is(TokenKind.UNICODE_STRING) && acceptKeyword("uescape")) {
                    Token e = expect(TokenKind.STRING);
                    String c = Literals.stringValue(e, escape).orElseThrow(NotOurs::new);
                    if (!Literals.isValidUescape(c)) {
                        throw new NotOurs();
                    }
                    escape = c.charAt(0);
                }
                String text = Literals.stringValue(t, escape).orElseThrow(NotOurs::new);
                return new Typed(new ArgumentValue.Literal(text), t.is(TokenKind.BIT_STRING) ? "bit" : "unknown");
            }
            case NUMBER -> {
                boolean integer = t.text().chars().allMatch(Character::isDigit);
                return new Typed(new ArgumentValue.Literal(t.text()), integer ? "integer" : "numeric");
            }
            case PARAMETER -> {
                if (style != ParameterStyle.NATIVE) {
                    throw new NotOurs();
                }
                return parameter(parseIndex(t.text().substring(1)));
            }
            case JDBC_PARAMETER -> {
                return parameter(++jdbcParameters);
            }
            case IDENTIFIER -> {
                if (t.isKeyword("true") || t.isKeyword("false")) {
                    return new Typed(new ArgumentValue.Literal(t.folded()), "boolean");
                }
                if (t.isKeyword("null")) {
                    return new Typed(new ArgumentValue.Null(), "unknown");
                }
                if (t.isKeyword("cast")) {
                    expect(TokenKind.LEFT_PAREN);
                    Typed inner = value();
                    expectKeyword("as");
                    String type = type();
                    expect(TokenKind.RIGHT_PAREN);
                    return new Typed(inner.value, type);
                }
                throw new NotOurs();
            }
            default -> throw new NotOurs();
        }
    }

    private Typed parameter(int index) {
        highestParameter = Math.max(highestParameter, index);
        return new Typed(new ArgumentValue.Parameter(index), "unknown");
    }

    private static int parseIndex(String digits) {
        if (digits.length() > 6 || Integer.parseInt(digits) < 1) {
            throw new NotOurs();
        }
        return Integer.parseInt(digits);
    }

    /**
     * A type name after {@code ::} or {@code AS}: a possibly qualified name, optionally
     * {@code varying}/{@code precision}, a modifier list {@code (n[, m])}, {@code with[out] time zone},
     * and array brackets. Returns the text as written.
     */
    private String type() {
        int first = pos;
        identifier();
        while (accept(TokenKind.DOT)) {
            identifier();
        }
        if (!acceptKeyword("varying")) {
            acceptKeyword("precision");
        }
        if (accept(TokenKind.LEFT_PAREN)) {
            do {
                expect(TokenKind.NUMBER);
            } while (accept(TokenKind.COMMA));
            expect(TokenKind.RIGHT_PAREN);
        }
        if (acceptKeyword("with") || acceptKeyword("without")) {
            expectKeyword("time");
            expectKeyword("zone");
        }
        while (accept(TokenKind.LEFT_BRACKET)) {
            accept(TokenKind.NUMBER);
            expect(TokenKind.RIGHT_BRACKET);
        }
        Token last = tokens.get(pos - 1);
        return last.source().substring(tokens.get(first).start(), last.end());
    }

    /** PostgreSQL's rules for mixing notations: positional first, no name twice. */
    private static void checkNotation(List<Argument> arguments) {
        boolean named = false;
        Set<String> names = new HashSet<>();
        for (Argument a : arguments) {
            if (a.isNamed()) {
                named = true;
                if (!names.add(a.name())) {
                    throw new PgTrickleException(SqlState.SYNTAX_ERROR,
                            "argument name \"" + a.name() + "\" used more than once");
                }
            } else if (named) {
                throw new PgTrickleException(SqlState.SYNTAX_ERROR,
                        "positional argument cannot follow named argument");
            }
        }
    }

    /** An identifier's value: unquoted folded to lower case, quoted exact. */
    private String identifier() {
        Token t = next();
        return Literals.identifierValue(t, Literals.DEFAULT_UESCAPE).orElseThrow(NotOurs::new);
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        if (pos >= tokens.size()) {
            throw new NotOurs();
        }
        return tokens.get(pos++);
    }

    private boolean accept(TokenKind kind) {
        if (pos < tokens.size() && peek().is(kind)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean accept(TokenKind kind, String text) {
        if (pos < tokens.size() && peek().is(kind) && peek().text().equals(text)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String keyword) {
        if (pos < tokens.size() && peek().isKeyword(keyword)) {
            pos++;
            return true;
        }
        return false;
    }

    private Token expect(TokenKind kind) {
        Token t = next();
        if (!t.is(kind)) {
            throw new NotOurs();
        }
        return t;
    }

    private void expectKeyword(String keyword) {
        if (!acceptKeyword(keyword)) {
            throw new NotOurs();
        }
    }
}
