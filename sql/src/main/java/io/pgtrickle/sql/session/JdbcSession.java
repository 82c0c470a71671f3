package io.pgtrickle.sql.session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/** A {@link Session} over a pgjdbc connection (the driver's, or the scheduler's own). */
public final class JdbcSession implements Session {
    private final Connection connection;
    /** A block opened by {@code BEGIN} as autocommit off (see {@link #script}). */
    private boolean lazyBlock;

    public JdbcSession(Connection connection) {
        this.connection = connection;
    }

    @Override
    public List<Row> query(String sql, Object... params) throws SQLException {
        if (params.length == 0) {
            try (Statement st = connection.createStatement()) {
                st.setEscapeProcessing(false);
                try (ResultSet rs = st.executeQuery(sql)) {
                    return rows(rs);
                }
            }
        }
        try (PreparedStatement ps = prepare(sql, params); ResultSet rs = ps.executeQuery()) {
            return rows(rs);
        }
    }

    private static List<Row> rows(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnLabel(i));
        }
        List<List<String>> values = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                row.add(rs.getString(i));
            }
            values.add(row);
        }
        return Row.all(columns, values);
    }

    @Override
    public long update(String sql, Object... params) throws SQLException {
        if (params.length == 0) {
            try (Statement st = connection.createStatement()) {
                st.setEscapeProcessing(false);
                return st.executeLargeUpdate(sql);
            }
        }
        try (PreparedStatement ps = prepare(sql, params)) {
            return ps.executeLargeUpdate();
        }
    }

    /**
     * {@code BEGIN}, {@code COMMIT} and {@code ROLLBACK} of a block the engine opens itself on a connection
     * in autocommit: autocommit off and on again, so that pgjdbc sends the BEGIN with the next statement,
     * in the same round trip, instead of one of its own.
     */
    @Override
    public void script(String sql) throws SQLException {
        switch (sql) {
            case "BEGIN" -> {
                if (!lazyBlock && connection.getAutoCommit()
                        && connection.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE) {
                    connection.setAutoCommit(false);
                    lazyBlock = true;
                    return;
                }
            }
            case "COMMIT", "ROLLBACK" -> {
                if (lazyBlock) {
                    lazyBlock = false;
                    try {
                        if (sql.equals("COMMIT")) {
                            connection.commit();
                        } else {
                            connection.rollback();
                        }
                    } finally {
                        connection.setAutoCommit(true);
                    }
                    return;
                }
            }
            default -> {
                // any other script runs as it is
            }
        }
        try (Statement st = connection.createStatement()) {
            st.setEscapeProcessing(false); // the user's query text must reach PostgreSQL unchanged
            st.execute(sql);
        }
    }

    /** pgjdbc sends a script's statements in one round trip (extended protocol, one Sync). */
    @Override
    public List<List<Row>> results(String sql) throws SQLException {
        List<List<Row>> out = new ArrayList<>();
        try (Statement st = connection.createStatement()) {
            st.setEscapeProcessing(false);
            boolean rows = st.execute(sql);
            while (true) {
                if (rows) {
                    try (ResultSet rs = st.getResultSet()) {
                        out.add(rows(rs));
                    }
                } else if (st.getLargeUpdateCount() != -1) {
                    out.add(List.of());
                } else {
                    return out;
                }
                rows = st.getMoreResults();
            }
        }
    }

    /** With autocommit off, pgjdbc opens the block lazily: the application is in one all the same. */
    @Override
    public boolean inTransactionBlock() throws SQLException {
        BaseConnection base = connection.unwrap(BaseConnection.class);
        return !connection.getAutoCommit() || base.getTransactionState() != TransactionState.IDLE;
    }

    private PreparedStatement prepare(String sql, Object[] params) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p == null) {
                    ps.setNull(i + 1, java.sql.Types.VARCHAR);
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }
}
