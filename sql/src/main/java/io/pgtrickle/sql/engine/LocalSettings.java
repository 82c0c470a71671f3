package io.pgtrickle.sql.engine;

import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.session.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings a statement of the engine runs with: set for the transaction ({@code set_config(..., true)})
 * just before it and set back to their values before it afterwards, so that a refresh inside the
 * caller's transaction leaves the caller's settings as they were. Both are plain SQL text, so they
 * travel in the same round trip as the statements around them: {@link #set()} returns the values it
 * replaces, {@link #restore(Row)} takes that row.
 */
record LocalSettings(List<String> names, List<String> values) {

    static LocalSettings of(Map<String, String> settings) {
        List<String> names = new ArrayList<>(settings.keySet());
        List<String> values = new ArrayList<>();
        names.forEach(n -> values.add(settings.get(n)));
        return new LocalSettings(List.copyOf(names), List.copyOf(values));
    }

    /**
     * One statement that reads every setting ({@code v0, v1, ...}, '' for one not set) and then sets it:
     * the materialized CTE is read before the outer select list sets anything.
     */
    String set() {
        StringBuilder read = new StringBuilder("WITH before AS MATERIALIZED (SELECT ");
        StringBuilder write = new StringBuilder(") SELECT before.*");
        for (int i = 0; i < names.size(); i++) {
            String name = Identifiers.literal(names.get(i));
            read.append(i == 0 ? "" : ", ").append("coalesce(pg_catalog.current_setting(").append(name)
                    .append(", true), '') AS v").append(i);
            write.append(", pg_catalog.set_config(").append(name).append(", ").append(value(i)).append(", true) AS s").append(i);
        }
        return read.append(write).append(" FROM before").toString();
    }

    /**
     * The value setting i is given. A search_path is the list of schemas it resolves to (as
     * {@link Differential#searchPath} wrote it): when the session's own resolves to the same list, the
     * session's text is kept. PostgreSQL 18 reports every change of search_path to the client
     * (ParameterStatus), and pgjdbc answers one by dropping every server-prepared statement of the
     * connection, the application's included; a refresh that sets it and sets it back costs the driver's
     * and the proxy's clients their prepared statements, though nothing resolves differently. A value
     * set to what it is sends no report.
     */
    private String value(int i) {
        String literal = Identifiers.literal(values.get(i));
        if (!names.get(i).equals("search_path")) {
            return literal;
        }
        return "CASE WHEN (SELECT pg_catalog.string_agg('\"' || pg_catalog.replace(s, '\"', '\"\"') || '\"', ', ' ORDER BY o) "
                + "FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p (s, o)) = " + literal
                + " THEN pg_catalog.current_setting('search_path') ELSE " + literal + " END";
    }

    /** The statement (ending in a semicolon and a newline) that sets every setting back to its value in {@code before}. */
    String restore(Row before) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("pg_catalog.set_config(").append(Identifiers.literal(names.get(i)))
                    .append(", ").append(Identifiers.literal(before.get("v" + i))).append(", true)");
        }
        return sql.append(";\n").toString();
    }
}
