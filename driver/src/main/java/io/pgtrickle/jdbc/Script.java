package io.pgtrickle.jdbc;

import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.frontdoor.ScriptPlan;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL text of several statements, at least one of them a pgtrickle call, run statement by statement
 * on the physical connection with the calls answered by the engine. As PostgreSQL does for such a
 * string, it is all or nothing (an implicit transaction) unless it manages transactions itself
 * (BEGIN, COMMIT, ...) or the application is already in one. Its results (result sets and update
 * counts, in order) are then read like pgjdbc's through {@link #current()} and {@link #next()}.
 */
final class Script implements AutoCloseable {
    private final ScriptPlan plan;
    private final List<Statement> statements = new ArrayList<>();
    /** ResultSet or Long (update count), in order. */
    private final List<Object> results = new ArrayList<>();
    private int position;

    private Script(ScriptPlan plan) {
        this.plan = plan;
    }

    /** The script, when the text has several statements and at least one pgtrickle call. */
    static Optional<Script> of(String sql) {
        return ScriptPlan.of(sql).filter(p -> !p.single()).map(Script::new);
    }

    void run(TrickleConnection connection) throws SQLException {
        Connection physical = connection.physical();
        boolean implicit = physical.getAutoCommit() && !plan.controlsTransactions();
        if (implicit) {
            physical.setAutoCommit(false);
        }
        try {
            for (ScriptPlan.Part part : plan.parts()) {
                String sql = part.call() == null ? part.sql()
                        : CallResults.resultSql(part.call(), connection.executor().run(part.call(), List.of()));
                Statement st = physical.createStatement();
                statements.add(st);
                boolean isResultSet = st.execute(sql);
                while (true) {
                    if (isResultSet) {
                        results.add(st.getResultSet());
                    } else if (st.getLargeUpdateCount() >= 0) {
                        results.add(st.getLargeUpdateCount());
                    } else {
                        break;
                    }
                    isResultSet = st.getMoreResults(Statement.KEEP_CURRENT_RESULT);
                }
            }
            if (implicit) {
                physical.commit();
            }
        } catch (SQLException | RuntimeException e) {
            if (implicit) {
                physical.rollback();
            }
            throw e;
        } finally {
            if (implicit) {
                physical.setAutoCommit(true);
            }
        }
    }

    /** The current result: a ResultSet, a Long update count, or null after the last. */
    Object current() {
        return position < results.size() ? results.get(position) : null;
    }

    /** Moves to the next result; true when it is a result set. */
    boolean next() {
        position++;
        return current() instanceof ResultSet;
    }

    List<Object> results() {
        return results;
    }

    /** The warnings of every statement, chained in order. */
    SQLWarning warnings() throws SQLException {
        SQLWarning first = null;
        for (Statement st : statements) {
            SQLWarning w = st.getWarnings();
            if (w != null) {
                if (first == null) {
                    first = w;
                } else {
                    first.setNextWarning(w);
                }
            }
        }
        return first;
    }

    @Override
    public void close() throws SQLException {
        for (Statement st : statements) {
            st.close();
        }
    }
}
