package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.command.Status;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import java.util.Locale;

/** Conversions of bound argument text to typed values, with PostgreSQL-style errors. */
final class ArgumentValues {
    private ArgumentValues() {
    }

    /** A stream table name (22023 when NULL, blank or malformed). */
    static QualifiedName name(String value) {
        return QualifiedNames.parse(value);
    }

    /** The defining query, exactly as given (22023 when NULL or blank). */
    static String query(String value) {
        if (value == null || value.isBlank()) {
            throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "query must not be NULL or empty");
        }
        return value;
    }

    /** FULL, DIFFERENTIAL, IMMEDIATE or AUTO in any case, surrounding whitespace ignored. */
    static RefreshMode refreshMode(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        for (RefreshMode m : RefreshMode.values()) {
            if (m.name().equals(v)) {
                return m;
            }
        }
        throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE,
                "invalid refresh_mode \"" + value + "\"", null,
                "Valid values are FULL, DIFFERENTIAL, IMMEDIATE and AUTO.");
    }

    /** The statuses alter_stream_table can set: ACTIVE or SUSPENDED, in any case. */
    static Status alterStatus(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.equals("ACTIVE")) {
            return Status.ACTIVE;
        }
        if (v.equals("SUSPENDED")) {
            return Status.SUSPENDED;
        }
        throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "invalid status \"" + value + "\"", null,
                "Valid values are ACTIVE and SUSPENDED.");
    }

    /** diamond_consistency: 'atomic' or 'none', in any case, stored in lower case; null stays null (the default, atomic). */
    static String diamondConsistency(String value) {
        return oneOf("diamond_consistency", value, "atomic", "none");
    }

    /** diamond_schedule_policy: 'fastest' or 'slowest', in any case, stored in lower case; null stays null (fastest). */
    static String diamondSchedulePolicy(String value) {
        return oneOf("diamond_schedule_policy", value, "fastest", "slowest");
    }

    private static String oneOf(String parameter, String value, String first, String second) {
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals(first) || v.equals(second)) {
            return v;
        }
        throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "invalid " + parameter + " \"" + value + "\"", null,
                "Valid values are " + first + " and " + second + ".");
    }

    /** true/false, t/f, yes/no, y/n, on/off, 1/0, in any case and trimmed; else 22P02 as PostgreSQL says. */
    static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "t", "yes", "y", "on", "1" -> true;
            case "false", "f", "no", "n", "off", "0" -> false;
            default -> throw new PgTrickleException(SqlState.INVALID_TEXT_REPRESENTATION,
                    "invalid input syntax for type boolean: \"" + value + "\"");
        };
    }
}
