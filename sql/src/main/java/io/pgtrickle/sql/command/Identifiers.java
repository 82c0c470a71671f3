package io.pgtrickle.sql.command;

/** Quoting of identifiers and literals for SQL text we generate. Every name we emit goes through here. */
public final class Identifiers {
    private Identifiers() {
    }

    /** Always-quoted identifier: {@code "a""b"}. Safe for any name. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quoted only when PostgreSQL would need it (for messages and readable SQL). */
    public static String quoteIfNeeded(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : quote(identifier);
    }

    /**
     * A string literal that means the same whatever standard_conforming_strings says:
     * {@code 'it''s'}, or {@code E'a\\b'} when the value holds a backslash. NUL is rejected.
     */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in literal");
        }
        String quoted = "'" + value.replace("'", "''") + "'";
        return value.indexOf('\\') < 0 ? quoted : "E" + quoted.replace("\\", "\\\\");
    }

    /** The text form of a text[] value (to bind as a parameter and cast with ::text[]): {"a","b\"c"}. */
    public static String textArray(java.util.List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }

    /**
     * The elements of a one-dimensional text[] in PostgreSQL's output form ({@code {a,"b c","d\"e"}}); an
     * unquoted NULL is null.
     */
    public static java.util.List<String> parseTextArray(String array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (array.length() < 2 || array.charAt(0) != '{' || array.charAt(array.length() - 1) != '}') {
            throw new IllegalArgumentException("not an array: " + array);
        }
        int i = 1;
        int end = array.length() - 1;
        while (i < end) {
            StringBuilder v = new StringBuilder();
            boolean quoted = array.charAt(i) == '"';
            if (quoted) {
                i++;
                while (array.charAt(i) != '"') {
                    if (array.charAt(i) == '\\') {
                        i++;
                    }
                    v.append(array.charAt(i++));
                }
                i++;
            } else {
                while (i < end && array.charAt(i) != ',') {
                    v.append(array.charAt(i++));
                }
            }
            out.add(!quoted && v.toString().equals("NULL") ? null : v.toString());
            i++; // the comma
        }
        return out;
    }
}
