package io.pgtrickle.jdbc;

import io.pgtrickle.jdbc.wrap.DelegatingDatabaseMetaData;
import java.sql.Connection;
import java.sql.DatabaseMetaData;

/** pgjdbc's metadata, pointing back at the wrapping connection. */
final class TrickleDatabaseMetaData extends DelegatingDatabaseMetaData {
    private final TrickleConnection connection;

    TrickleDatabaseMetaData(TrickleConnection connection, DatabaseMetaData delegate) {
        super(delegate);
        this.connection = connection;
    }

    boolean wraps(DatabaseMetaData md) {
        return delegate == md;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }
}
