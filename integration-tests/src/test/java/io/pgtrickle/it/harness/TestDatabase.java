package io.pgtrickle.it.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * One fresh database on the shared embedded server, owned by one test class.
 *
 * <p>{@link #connect()} uses plain pgjdbc; {@link #connectPgtrickle()} goes through {@link DriverManager}
 * with the {@code jdbc:pgtrickle:postgresql://} URL, so it needs the pgtrickle driver on the classpath.
 */
public final class TestDatabase {

    /** URL prefix of plain pgjdbc. */
    public static final String PGJDBC_PREFIX = "jdbc:postgresql://";
    /** URL prefix of the pgtrickle driver. */
    public static final String PGTRICKLE_PREFIX = "jdbc:pgtrickle:postgresql://";

    private final String host;
    private final int port;
    private final String user;
    private final String name;
    private final int serverVersionNum;

    TestDatabase(String host, int port, String user, String name, int serverVersionNum) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.name = name;
        this.serverVersionNum = serverVersionNum;
    }

    /** Database name, unique within the test run. */
    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** {@code server_version_num} of the server, e.g. 180003 or 150019. */
    public int serverVersionNum() {
        return serverVersionNum;
    }

    /** {@code jdbc:postgresql://host:port/name?user=...}. */
    public String jdbcUrl() {
        return PGJDBC_PREFIX + host + ":" + port + "/" + name + "?user=" + user;
    }

    /** The same as {@link #jdbcUrl()} with the {@code jdbc:pgtrickle:postgresql://} prefix. */
    public String pgtrickleUrl() {
        return PGTRICKLE_PREFIX + jdbcUrl().substring(PGJDBC_PREFIX.length());
    }

    /** A new plain pgjdbc connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /** A new connection through the pgtrickle driver; the caller closes it. */
    public Connection connectPgtrickle() throws SQLException {
        return DriverManager.getConnection(pgtrickleUrl());
    }

    @Override
    public String toString() {
        return "TestDatabase[" + jdbcUrl() + ", server " + serverVersionNum + "]";
    }
}
