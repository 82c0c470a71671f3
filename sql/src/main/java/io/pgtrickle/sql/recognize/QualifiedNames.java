package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a stream table name given as a string value ({@code 'orders'}, {@code 'Public.Orders'},
 * {@code '"Odd Name"'}, {@code '"sch"."My ""quoted"" name"'}) with PostgreSQL's identifier rules:
 * unquoted parts are folded to lower case (ASCII letters), quoted parts are exact with {@code ""} meaning
 * {@code "}, whitespace around parts is allowed, and anything may appear inside quotes (dots, semicolons,
 * quotes). One part is a name (schema from search_path), two are schema.name.
 *
 * <p>Everything else is 22023: NULL, empty or blank, three or more parts, empty parts, an empty or
 * unterminated quoted part, characters an unquoted identifier cannot hold. A part longer than 63 bytes
 * (UTF-8) is rejected rather than silently truncated as PostgreSQL would: a stream table must be found
 * again by the name its creator gave.
 */
public final class QualifiedNames {
    /** PostgreSQL's NAMEDATALEN - 1. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private QualifiedNames() {
    }

    /** Parses {@code text}; throws 22023 as described above. */
    public static QualifiedName parse(String text) {
        if (text == null) {
            throw invalid("stream table name must not be NULL");
        }
        if (text.isBlank()) {
            throw invalid("stream table name must not be empty");
        }
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipSpace(text, i);
            if (i >= n) {
                throw invalidName(text, "a name part is missing");
            }
            StringBuilder part = new StringBuilder();
            if (text.charAt(i) == '"') {
                i = quoted(text, i + 1, part);
            } else if (Lexer.isIdentifierStart(text.charAt(i))) {
                while (i < n && Lexer.isIdentifierPart(text.charAt(i))) {
                    part.append(text.charAt(i++));
                }
                part.replace(0, part.length(), Token.foldIdentifier(part.toString()));
            } else {
                throw invalidName(text, "unexpected character '" + text.charAt(i) + "'");
            }
            if (part.toString().getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                throw invalidName(text, "identifier longer than " + MAX_IDENTIFIER_BYTES + " bytes");
            }
            if (part.indexOf("\0") >= 0) {
                throw invalidName(text, "NUL character in identifier");
            }
            parts.add(part.toString());
            i = skipSpace(text, i);
            if (i >= n) {
                break;
            }
            if (text.charAt(i) != '.') {
                throw invalidName(text, "unexpected character '" + text.charAt(i) + "'");
            }
            i++;
        }
        if (parts.size() > 2) {
            throw invalidName(text, "too many dotted names; use name or schema.name");
        }
        return parts.size() == 1 ? new QualifiedName(null, parts.get(0)) : new QualifiedName(parts.get(0), parts.get(1));
    }

    /** Reads a quoted part whose body starts at {@code from}; returns the index after the closing quote. */
    private static int quoted(String text, int from, StringBuilder out) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    out.append('"');
                    i += 2;
                    continue;
                }
                if (out.length() == 0) {
                    throw invalidName(text, "zero-length delimited identifier");
                }
                return i + 1;
            }
            out.append(c);
            i++;
        }
        throw invalidName(text, "unterminated quoted identifier");
    }

    private static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && Lexer.isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static PgTrickleException invalidName(String text, String reason) {
        return invalid("invalid stream table name \"" + text + "\": " + reason);
    }

    private static PgTrickleException invalid(String message) {
        return new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, message, null,
                "Write name or schema.name; quote parts with double quotes to keep case or special characters.");
    }
}
