package io.pgtrickle.jdbc;

import io.pgtrickle.sql.catalog.ProductVersion;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The pgtrickle JDBC driver: {@code jdbc:pgtrickle:postgresql://host:port/db?...} (or
 * {@code jdbc:pgtrickle://...}). It is pgjdbc with every URL property, plus the pgtrickle calls
 * ({@code SELECT pgtrickle.create_stream_table(...)} and friends) answered by the pgtrickle engine
 * over the same connection. Other URLs get null, as the JDBC contract asks, so it can sit beside
 * pgjdbc on one class path.
 */
public final class Driver implements java.sql.Driver {
    /** The URL prefixes we accept, each mapped to pgjdbc's {@code jdbc:postgresql:}. */
    private static final String[] PREFIXES = {"jdbc:pgtrickle:postgresql:", "jdbc:pgtrickle:"};
    private static final String PGJDBC_PREFIX = "jdbc:postgresql:";

    private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();

    static {
        try {
            DriverManager.registerDriver(new Driver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        String pgUrl = toPgjdbcUrl(url);
        if (pgUrl == null) {
            return null;
        }
        Connection physical = pgjdbc.connect(pgUrl, info);
        return physical == null ? null : new TrickleConnection(physical);
    }

    @Override
    public boolean acceptsURL(String url) {
        return toPgjdbcUrl(url) != null;
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        String pgUrl = toPgjdbcUrl(url);
        return pgjdbc.getPropertyInfo(pgUrl == null ? url : pgUrl, info);
    }

    @Override
    public int getMajorVersion() {
        return versionPart(0);
    }

    @Override
    public int getMinorVersion() {
        return versionPart(1);
    }

    @Override
    public boolean jdbcCompliant() {
        return pgjdbc.jdbcCompliant();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pgjdbc.getParentLogger();
    }

    /** pgjdbc's URL for one of ours, or null when the URL is not ours. */
    static String toPgjdbcUrl(String url) {
        if (url == null) {
            return null;
        }
        for (String prefix : PREFIXES) {
            if (url.startsWith(prefix)) {
                return PGJDBC_PREFIX + url.substring(prefix.length());
            }
        }
        return null;
    }

    private static int versionPart(int index) {
        String[] parts = ProductVersion.get().split("[.-]");
        try {
            return parts.length > index ? Integer.parseInt(parts[index]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
