package io.pgtrickle.jdbc;

import io.pgtrickle.jdbc.wrap.DelegatingPreparedStatement;
import io.pgtrickle.sql.engine.Outcome;
import io.pgtrickle.sql.frontdoor.CallResults;
import io.pgtrickle.sql.recognize.Call;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A prepared statement of a {@link TrickleConnection}. When its SQL is a pgtrickle call, pgjdbc
 * holds a parameter probe instead ({@link TrickleConnection#parameterProbe}): the application's
 * setXxx calls go to pgjdbc as usual, executing reads the bound values back as text, the engine runs
 * the call, and the call's result comes from a companion pgjdbc statement.
 */
public class TricklePreparedStatement<S extends PreparedStatement> extends DelegatingPreparedStatement<S> {
    /** The pgtrickle call, or null when this is an ordinary statement. */
    private final Call call;
    private Statement callResults;

    protected TricklePreparedStatement(TrickleConnection connection, S delegate, Call call) {
        super(connection, delegate);
        this.call = call;
    }

    /** Runs the call with the bound parameters; returns the SQL of its result, to run on {@link #results}. */
    private String runCall() throws SQLException {
        List<String> values = new ArrayList<>();
        if (call.parameterCount() > 0) {
            try (ResultSet rs = delegate.executeQuery()) {
                rs.next();
                for (int i = 0; i < call.parameterCount(); i++) {
                    values.add(rs.getString(i + 2));
                }
            }
        }
        Outcome outcome = connection.executor().run(call, values);
        if (callResults == null) {
            callResults = connection.physical().createStatement();
        }
        results = callResults;
        return CallResults.resultSql(call, outcome);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (call == null) {
            return wrap(delegate.executeQuery());
        }
        String sql = runCall();
        return wrap(callResults.executeQuery(sql));
    }

    @Override
    public boolean execute() throws SQLException {
        if (call == null) {
            return delegate.execute();
        }
        String sql = runCall();
        return callResults.execute(sql);
    }

    @Override
    public int executeUpdate() throws SQLException {
        if (call == null) {
            return delegate.executeUpdate();
        }
        String sql = runCall();
        return callResults.executeUpdate(sql);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        if (call == null) {
            return delegate.executeLargeUpdate();
        }
        String sql = runCall();
        return callResults.executeLargeUpdate(sql);
    }

    @Override
    public void close() throws SQLException {
        try {
            if (callResults != null) {
                callResults.close();
            }
        } finally {
            delegate.close();
        }
    }
}
