package io.pgtrickle.sql.recognize;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pgtrickle functions the front doors execute themselves (../shared/API.md "Lifecycle"), with their
 * parameters in declaration order. Every other function, in schema pgtrickle or not, goes to PostgreSQL.
 */
public enum PgTrickleFunction {
    CREATE_STREAM_TABLE("create_stream_table", createParameters()),
    CREATE_STREAM_TABLE_IF_NOT_EXISTS("create_stream_table_if_not_exists", createParameters()),
    CREATE_OR_REPLACE_STREAM_TABLE("create_or_replace_stream_table", createParameters()),
    ALTER_STREAM_TABLE("alter_stream_table", List.of(
            Parameter.required("name", "text"),
            Parameter.optional("query", "text", "NULL"),
            Parameter.optional("schedule", "text", "NULL"),
            Parameter.optional("refresh_mode", "text", "NULL"),
            Parameter.optional("status", "text", "NULL"),
            Parameter.optional("diamond_consistency", "text", "NULL"),
            Parameter.optional("diamond_schedule_policy", "text", "NULL"))),
    DROP_STREAM_TABLE("drop_stream_table", List.of(
            Parameter.required("name", "text"),
            Parameter.optional("cascade", "boolean", "false"))),
    REFRESH_STREAM_TABLE("refresh_stream_table", List.of(Parameter.required("name", "text"))),
    RESUME_STREAM_TABLE("resume_stream_table", List.of(Parameter.required("name", "text"))),
    VALIDATE_QUERY("validate_query", List.of(Parameter.required("query", "text")), List.of("check", "result", "severity"));

    /** The schema all of them live in. */
    public static final String SCHEMA = "pgtrickle";

    /**
     * One declared parameter.
     *
     * @param defaultSql the default as written in the signature, or null when the parameter is required
     */
    public record Parameter(String name, String type, boolean required, String defaultSql) {
        static Parameter required(String name, String type) {
            return new Parameter(name, type, true, null);
        }

        static Parameter optional(String name, String type, String defaultSql) {
            return new Parameter(name, type, false, defaultSql);
        }

        String describe() {
            return name + " " + type + (required ? "" : " DEFAULT " + defaultSql);
        }
    }

    private final String sqlName;
    private final List<Parameter> parameters;
    private final List<String> resultColumns;

    PgTrickleFunction(String sqlName, List<Parameter> parameters) {
        this(sqlName, parameters, List.of());
    }

    PgTrickleFunction(String sqlName, List<Parameter> parameters, List<String> resultColumns) {
        this.sqlName = sqlName;
        this.parameters = parameters;
        this.resultColumns = resultColumns;
    }

    /**
     * The columns of the rows the function returns, all of type text ({@code RETURNS TABLE}); empty for a
     * function that returns void.
     */
    public List<String> resultColumns() {
        return resultColumns;
    }

    private static List<Parameter> createParameters() {
        return List.of(
                Parameter.required("name", "text"),
                Parameter.required("query", "text"),
                Parameter.optional("schedule", "text", "'calculated'"),
                Parameter.optional("refresh_mode", "text", "'AUTO'"),
                Parameter.optional("initialize", "boolean", "true"),
                Parameter.optional("diamond_consistency", "text", "NULL"),
                Parameter.optional("diamond_schedule_policy", "text", "NULL"),
                Parameter.optional("cdc_mode", "text", "NULL"),
                Parameter.optional("append_only", "boolean", "false"));
    }

    /** The function's name in SQL, e.g. {@code create_stream_table}. */
    public String sqlName() {
        return sqlName;
    }

    /** Parameters in declaration order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The parameter of that (already folded) name. */
    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The function called {@code sqlName} (exact, lower case), if it is one of ours. */
    public static Optional<PgTrickleFunction> bySqlName(String sqlName) {
        for (PgTrickleFunction f : values()) {
            if (f.sqlName.equals(sqlName)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The full signature, for hints: {@code pgtrickle.drop_stream_table(name text, cascade boolean DEFAULT false)}. */
    public String signature() {
        return SCHEMA + "." + sqlName + "("
                + parameters.stream().map(Parameter::describe).collect(Collectors.joining(", ")) + ")";
    }
}
