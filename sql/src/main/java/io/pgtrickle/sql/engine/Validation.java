package io.pgtrickle.sql.engine;

import io.pgtrickle.planner.maintain.MaintenancePlan;
import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.postgresql.util.PSQLException;

/**
 * validate_query(query): what create_stream_table would make of a defining query, as rows of (check,
 * result, severity), without creating anything: whether PostgreSQL accepts it (its columns, or the error it
 * would raise, with its SQLSTATE), what it reads, which sources cannot be captured, whether it can be
 * maintained differentially (the delta rule, or the construct that prevents it) and what AUTO would choose.
 * Everything runs in a savepoint that is rolled back.
 */
final class Validation {
    static final String INFO = "INFO";
    static final String WARNING = "WARNING";
    static final String ERROR = "ERROR";

    private Validation() {
    }

    static List<List<String>> run(Session session, String query) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        session.script("SAVEPOINT pgtrickle_validate");
        try {
            QueryProbe.Analysis analysis;
            try {
                analysis = QueryProbe.analyze(session, query);
            } catch (SQLException | PgTrickleException e) {
                session.script("ROLLBACK TO SAVEPOINT pgtrickle_validate");
                rows.add(List.of("query", describe(e), ERROR));
                return rows;
            }
            rows.add(List.of("query", "valid: " + analysis.columns().size() + " columns ("
                    + analysis.columns().stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", "))
                    + ")", INFO));
            List<String> read = new ArrayList<>();
            analysis.sources().forEach(s -> read.add(s.quotedName() + " (" + kind(s) + ")"));
            analysis.views().forEach(v -> read.add(v.quotedName() + " (view)"));
            rows.add(List.of("sources", read.isEmpty() ? "none" : String.join(", ", read), INFO));
            for (Source s : analysis.sources()) {
                if (!s.capturable()) {
                    rows.add(List.of("capture", s.quotedName() + " is a " + kind(s) + ": its changes cannot be "
                            + "captured, so every refresh recomputes the stream table", WARNING));
                }
            }
            String schema = session.queryOne("SELECT current_schema() AS s").get("s");
            Lifecycle.ModeChoice auto = Lifecycle.autoChoice(session, query, analysis, schema == null ? "public" : schema,
                    "validate_query");
            if (auto.plan() != null) {
                rows.add(List.of("differential", "supported: " + rule(auto.plan().rule()), INFO));
            } else if (auto.reason().equals(Lifecycle.AGGREGATES_UNDER_AUTO)) {
                rows.add(List.of("differential", "supported: " + rule(MaintenancePlan.Rule.GROUPS_RECOMPUTED), INFO));
            } else {
                rows.add(List.of("differential", "not supported: " + auto.reason()
                        .replaceFirst("^the query cannot be maintained differentially: ", ""), WARNING));
            }
            if (auto.operatorTree() != null) {
                rows.add(List.of("operator_tree", auto.operatorTree(), INFO));
            }
            rows.add(List.of("auto_mode", auto.effective() + ": " + auto.reason(), INFO));
            return rows;
        } finally {
            session.script("ROLLBACK TO SAVEPOINT pgtrickle_validate; RELEASE SAVEPOINT pgtrickle_validate");
        }
    }

    private static String kind(Source s) {
        return s.type().name().toLowerCase(Locale.ROOT).replace('_', ' ').replace("matview", "materialized view");
    }

    private static String rule(MaintenancePlan.Rule rule) {
        return switch (rule) {
            case KEYS_RECOMPUTED -> "KEYS_RECOMPUTED (the rows of changed keys are recomputed)";
            case IMAGES_COUNTED -> "IMAGES_COUNTED (changed rows are counted in and out)";
            case GROUPS_RECOMPUTED -> "GROUPS_RECOMPUTED (the changed groups are recomputed; AUTO refreshes FULL)";
            case GROUPS_FROM_CHANGES -> "GROUPS_FROM_CHANGES (the groups are maintained from the changes alone)";
        };
    }

    /** An error as PostgreSQL (or pgtrickle) would raise it: SQLSTATE and message. */
    private static String describe(Exception e) {
        if (e instanceof PgTrickleException p) {
            return p.sqlState().code() + ": " + p.getMessage();
        }
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
        return ((SQLException) e).getSQLState() + ": " + message;
    }
}
