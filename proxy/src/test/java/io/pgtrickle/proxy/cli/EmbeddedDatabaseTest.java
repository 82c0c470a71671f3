package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL: a data directory reused across restarts, ephemeral ones removed. */
class EmbeddedDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void dataSurvivesARestartOfTheSameDirectory() throws Exception {
        Path data = dir.resolve("data");
        long systemIdentifier;
        try (EmbeddedDatabase database = EmbeddedDatabase.persistent(data)) {
            assertThat(database.target().host()).isEqualTo("127.0.0.1");
            assertThat(database.target().sslMode().requestsTls()).isFalse();
            systemIdentifier = querySystemIdentifier(database);
            execute(database, "CREATE TABLE kept (id int PRIMARY KEY, note text)",
                    "INSERT INTO kept VALUES (1, 'before restart')");
            assertThat(queryString(database, "SHOW fsync")).isEqualTo("on");
            assertThat(queryString(database, "SHOW synchronous_commit")).isEqualTo("on");
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
        assertThat(data.resolve("PG_VERSION")).exists();

        try (EmbeddedDatabase database = EmbeddedDatabase.persistent(data)) {
            // the same cluster, not a new initdb: same system identifier and the table with its row
            assertThat(querySystemIdentifier(database)).isEqualTo(systemIdentifier);
            assertThat(queryString(database, "SELECT note FROM kept WHERE id = 1")).isEqualTo("before restart");
            assertThat(queryString(database, "SELECT current_setting('server_version_num')")).startsWith("18");
        }
        assertThat(data).isDirectory();
    }

    @Test
    void aDirectoryInUseIsRefused() throws Exception {
        Path data = dir.resolve("busy");
        try (EmbeddedDatabase first = EmbeddedDatabase.persistent(data)) {
            assertThatThrownBy(() -> EmbeddedDatabase.persistent(data)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("in use by another pgtrickle proxy");
            assertThat(queryString(first, "SELECT 'still up'")).isEqualTo("still up");
        }
    }

    @Test
    void aNonEmptyForeignDirectoryIsRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(data.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> EmbeddedDatabase.persistent(data)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("initdb failed");
        assertThat(data.resolve("notes.txt")).exists();
    }

    @Test
    void ephemeralRemovesItsDirectory() throws Exception {
        Path data;
        try (EmbeddedDatabase database = EmbeddedDatabase.ephemeral()) {
            data = database.dataDirectory();
            assertThat(data.resolve("PG_VERSION")).exists();
            execute(database, "CREATE TABLE scratch (id int)");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void commandStartsTheEmbeddedServerAndStopsItAfterTheRelay() throws Exception {
        CommandRun run = new CommandRun(Map.of(), dir);
        CompletableFuture<Integer> running = run.start("--listen", "127.0.0.1:0");
        String banner = run.awaitBanner(running, 120);
        assertThat(banner).matches("psql -h 127\\.0\\.0\\.1 -p [1-9][0-9]* -U postgres postgres\n");

        // default data directory under the (test) home; the relay is pointed at the embedded server
        Path data = dir.resolve(".pgtrickle/data");
        assertThat(data.resolve("postmaster.pid")).exists();
        var upstream = run.relay.launched.get(0).upstream();
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://" + upstream.host() + ":" + upstream.port() + "/postgres", "postgres", "")) {
            assertThat(c.isValid(5)).isTrue();
        }
        assertThat(run.stop(running)).isZero();
        assertThat(run.relay.closed).isTrue();
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void ephemeralCommandLeavesNothingBehind() throws Exception {
        CommandRun run = new CommandRun(Map.of("PGTRICKLE_EPHEMERAL", "true"), dir);
        CompletableFuture<Integer> running = run.start("--listen", "127.0.0.1:0");
        run.awaitBanner(running, 120);
        assertThat(run.stop(running)).isZero();
        assertThat(dir.resolve(".pgtrickle")).doesNotExist();
    }

    @Test
    void portTakenStopsTheEmbeddedServerAgain() throws Exception {
        Path data = dir.resolve("data");
        try (var taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CommandRun run = new CommandRun(Map.of(), dir);
            int status = run.execute("--data-dir", data.toString(), "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(status).isEqualTo(2);
            assertThat(run.err.toString()).contains("cannot listen on");
        }
        assertThat(data.resolve("PG_VERSION")).exists();
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    private static long querySystemIdentifier(EmbeddedDatabase database) throws SQLException {
        return Long.parseLong(queryString(database, "SELECT system_identifier FROM pg_control_system()"));
    }

    private static String queryString(EmbeddedDatabase database, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl("postgres"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(EmbeddedDatabase database, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl("postgres"));
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
