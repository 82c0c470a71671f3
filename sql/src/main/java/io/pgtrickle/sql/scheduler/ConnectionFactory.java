package io.pgtrickle.sql.scheduler;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens the scheduler's own connections, with the credentials from its configuration. */
@FunctionalInterface
public interface ConnectionFactory {

    /** A new pgjdbc connection to {@code database}, in autocommit. */
    Connection open(String database) throws SQLException;
}
