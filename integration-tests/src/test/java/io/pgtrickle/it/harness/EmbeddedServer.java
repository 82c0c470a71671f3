package io.pgtrickle.it.harness;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one embedded PostgreSQL server of a test run. Creates and drops the per-class databases through
 * the {@code postgres} maintenance database.
 */
final class EmbeddedServer implements AutoCloseable {

    private static final String HOST = "localhost";
    private static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final int serverVersionNum;
    private final AtomicInteger databaseCounter = new AtomicInteger();

    private EmbeddedServer(EmbeddedPostgres postgres, int serverVersionNum) {
        this.postgres = postgres;
        this.serverVersionNum = serverVersionNum;
    }

    /** Starts the server, prints its version and checks it against {@link MajorVersionCheck}. */
    static EmbeddedServer start() {
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL", e);
        }
        try {
            EmbeddedServer server = new EmbeddedServer(postgres, queryVersionNum(postgres));
            server.announceAndVerify();
            return server;
        } catch (RuntimeException | Error e) {
            closeQuietly(postgres, e);
            throw e;
        }
    }

    private static int queryVersionNum(EmbeddedPostgres postgres) {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read server_version_num", e);
        }
    }

    private void announceAndVerify() {
        Integer expected = MajorVersionCheck.expectedMajor();
        System.out.println("[pgtrickle-it] embedded PostgreSQL " + serverVersionNum + " on port "
                + postgres.getPort() + " (expected major: "
                + (expected == null ? "any, -D" + MajorVersionCheck.PROPERTY + " not set" : expected) + ")");
        MajorVersionCheck.verify(expected, serverVersionNum);
    }

    int serverVersionNum() {
        return serverVersionNum;
    }

    /** Creates a new, empty database whose name starts with a sanitized form of {@code label}. */
    TestDatabase createDatabase(String label) {
        String safe = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (safe.length() > 40) {
            safe = safe.substring(0, 40);
        }
        String name = "it_" + safe + "_" + databaseCounter.incrementAndGet();
        execute("CREATE DATABASE " + quote(name));
        return new TestDatabase(HOST, postgres.getPort(), USER, name, serverVersionNum);
    }

    /** Drops the database, terminating connections the test left open. */
    void dropDatabase(TestDatabase database) {
        execute("DROP DATABASE IF EXISTS " + quote(database.name()) + " WITH (FORCE)");
    }

    private void execute(String sql) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("failed: " + sql, e);
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }

    private static void closeQuietly(EmbeddedPostgres postgres, Throwable cause) {
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
