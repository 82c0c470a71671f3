package io.pgtrickle.sql.scheduler;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens the scheduler's own connections, with the credentials from its configuration. */
@FunctionalInterface
public interface ConnectionFactory {

    /** A new pgjdbc connection to {@code database}, in autocommit. */
    Connection open(String database) throws SQLException;

    /**
     * A connection the scheduler holds for long: the server probes it every few seconds once idle
     * (TCP keepalive, 5 s + 3 x 2 s) and drops it when sent data goes unacknowledged for 10 s, so that
     * when the scheduler's host dies or the network between them breaks, its backend ends within
     * seconds, with the leadership lock and any row locks it held, instead of after the system's
     * default of hours; and a statement answered by no one fails after {@code networkTimeout} here.
     * (The server ignores these settings on a Unix-domain socket, where neither can happen.)
     */
    static Connection held(ConnectionFactory factory, String database, java.time.Duration networkTimeout)
            throws SQLException {
        Connection c = factory.open(database);
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; "
                    + "SET tcp_user_timeout = 10000");
            c.setNetworkTimeout(Runnable::run, (int) networkTimeout.toMillis());
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
