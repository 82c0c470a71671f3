package io.pgtrickle.it.scheduler;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.InProcessProxy;
import io.pgtrickle.it.harness.Poll;
import io.pgtrickle.it.harness.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy runs the scheduler: a stream table created through it refreshes by itself, the heartbeat
 * names the proxy, and {@code --no-scheduler} runs none. Also the default start (embedded server, no
 * credentials configured) from the built jar.
 */
@PgTest
class ProxySchedulerTest {
    private static final Pattern PORT = Pattern.compile("-p (\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String QUERY = "SELECT k, count(*) AS n FROM items GROUP BY k";

    @TempDir
    Path home;

    private static InProcessProxy start(Path home, String... args) {
        return InProcessProxy.start(home, Map.of(), args);
    }

    @Test
    void aStreamTableCreatedThroughTheProxyRefreshesByItself(TestDatabase db) throws Exception {
        String upstream = "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.name() + "?sslmode=disable";
        InProcessProxy run = start(home, "--upstream", upstream, "--listen", "127.0.0.1:0", "--scheduler-tick", "100",
                "--scheduler-databases", db.name());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + run.port() + "/" + db.name()
                + "?user=" + db.user())) {
            exec(c, "CREATE TABLE items (id int PRIMARY KEY, k text)", "INSERT INTO items VALUES (1, 'a'), (2, 'b')",
                    "SELECT pgtrickle.create_stream_table('per_k', '" + QUERY + "', '1s')");
            exec(c, "INSERT INTO items VALUES (3, 'a'), (4, NULL)", "DELETE FROM items WHERE id = 2");
            Poll.until(WAIT, "the proxy's scheduler refreshes per_k", () -> Oracle.matches(c, "per_k", QUERY));
            Poll.until(WAIT, "the heartbeat", () -> value(c, "SELECT scheduler_running FROM pgtrickle.quick_health").equals("t"));
            assertThat(value(c, "SELECT holder FROM pgtrickle.pgt_scheduler_heartbeat")).startsWith("pgtrickle-proxy ")
                    .contains(" pid ", "listening on 127.0.0.1:" + run.port());
        }
        assertThat(run.stop()).isZero();
        try (Connection direct = db.connect()) {
            assertThat(value(direct, "SELECT scheduler_running FROM pgtrickle.quick_health")).as("stopped, it says so")
                    .isEqualTo("f");
        }

        InProcessProxy quiet = start(home, "--upstream", upstream, "--listen", "127.0.0.1:0", "--no-scheduler",
                "--scheduler-databases", db.name());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + quiet.port() + "/" + db.name()
                + "?user=" + db.user())) {
            exec(c, "INSERT INTO items VALUES (5, 'z')");
            // the scheduler's discovery thread starts before the banner is printed: none means no scheduler
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                    .noneMatch(name -> name.startsWith("pgtrickle-scheduler"));
            assertThat(value(c, "SELECT scheduler_running FROM pgtrickle.quick_health")).isEqualTo("f");
            exec(c, "SELECT pgtrickle.drop_stream_table('per_k')", "DROP TABLE items");
        } finally {
            assertThat(quiet.stop()).isZero();
        }
    }

    private static Path jar() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("proxy/target/pgtrickle-proxy.jar"))) {
                return dir.resolve("proxy/target/pgtrickle-proxy.jar");
            }
        }
        throw new AssertionError("the proxy jar is built before the integration tests");
    }

    private Process proxyProcess(String... args) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void aProxyKilledMidRefreshLeavesTheTableCorrectAndTheNextOneCatchesUp(TestDatabase db) throws Exception {
        String upstream = "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.name() + "?sslmode=disable";
        String slow = "SELECT id, v FROM slow_src WHERE pg_sleep(0.002) IS NOT NULL"; // about 1 s for 500 rows
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE slow_src (id int PRIMARY KEY, v int)",
                    "INSERT INTO slow_src SELECT i, i FROM generate_series(1, 500) i",
                    "SELECT pgtrickle.create_stream_table('slow', '" + slow + "', '1s', 'FULL')",
                    "UPDATE slow_src SET v = -v WHERE id <= 100");
            Process first = proxyProcess("--upstream", upstream, "--listen", "127.0.0.1:0", "--scheduler-databases", db.name());
            try {
                Poll.until(WAIT, "a scheduled refresh is running", () -> value(c, "SELECT count(*) FROM pg_stat_activity "
                        + "WHERE application_name = 'pgtrickle scheduler' AND query LIKE '%pg_sleep%' AND state = 'active'").equals("1"));
            } finally {
                first.destroyForcibly(); // SIGKILL, in the middle of that refresh
                first.waitFor();
            }
            exec(c, "UPDATE slow_src SET v = 0 WHERE id > 490");
            Process second = proxyProcess("--upstream", upstream, "--listen", "127.0.0.1:0", "--scheduler-databases", db.name());
            try {
                Poll.until(WAIT, "the next proxy's scheduler brings it up to date", () -> Oracle.matches(c, "slow", slow));
            } finally {
                second.destroy();
                second.waitFor();
            }
            assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'RUNNING'")).isEqualTo("0");
            assertThat(value(c, "SELECT string_agg(h.initiated_by || ' ' || h.status || ': ' || h.error_message, '; ') "
                    + "FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                    + "WHERE s.pgt_name = 'slow' AND h.status = 'FAILED'"))
                    .as("the killed refresh is in the history, recorded by the scheduler that took over")
                    .startsWith("SCHEDULER FAILED: the scheduler running this refresh (pgtrickle-proxy ")
                    .endsWith(") stopped before it committed; the refresh was rolled back");
            assertThat(value(c, "SELECT consecutive_errors FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'slow'"))
                    .as("an interrupted refresh is not the table's error").isEqualTo("0");
            assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                    + "USING (pgt_id) WHERE s.pgt_name = 'slow' AND h.status = 'COMPLETED' AND h.initiated_by = 'SCHEDULER'"))
                    .isNotEqualTo("0");
            exec(c, "SELECT pgtrickle.drop_stream_table('slow')", "DROP TABLE slow_src");
        }
    }

    @Test
    void aSchedulerOnlySidecarRefreshesWhatAnApplicationCreatedWithTheDriver(TestDatabase db) throws Exception {
        String upstream = "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.name() + "?sslmode=disable";
        try (Connection c = db.connectPgtrickle()) { // the JDBC driver, no proxy in between
            exec(c, "CREATE TABLE items (id int PRIMARY KEY, k text)", "INSERT INTO items VALUES (1, 'a')",
                    "SELECT pgtrickle.create_stream_table('per_k', '" + QUERY + "', '1s')");
            InProcessProxy sidecar = start(home, "--scheduler-only", "--upstream", upstream, "--scheduler-tick", "100",
                    "--scheduler-databases", db.name());
            try {
                assertThat(sidecar.banner()).startsWith("pgtrickle-proxy: scheduler only, for ");
                exec(c, "INSERT INTO items VALUES (2, 'b'), (3, 'a')", "UPDATE items SET k = 'c' WHERE id = 1");
                Poll.until(WAIT, "the sidecar refreshes per_k", () -> Oracle.matches(c, "per_k", QUERY));
                assertThat(value(c, "SELECT initiated_by FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC LIMIT 1"))
                        .isEqualTo("SCHEDULER");
                assertThat(value(c, "SELECT holder FROM pgtrickle.pgt_scheduler_heartbeat WHERE database_name = current_database()"))
                        .startsWith("pgtrickle-proxy ").doesNotContain("listening on");
            } finally {
                assertThat(sidecar.stop()).isZero();
            }
            exec(c, "SELECT pgtrickle.drop_stream_table('per_k')", "DROP TABLE items");
        }
    }

    @Test
    void theDefaultStartSchedulesTheEmbeddedServerWithoutCredentials() throws Exception {
        Process p = proxyProcess("--ephemeral", "--listen", "127.0.0.1:0");
        try {
            String banner = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            Matcher m = PORT.matcher(String.valueOf(banner));
            assertThat(m.find()).as("banner " + banner).isTrue();
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + m.group(1) + "/postgres?user=postgres")) {
                exec(c, "CREATE TABLE items (id int PRIMARY KEY, k text)",
                        "SELECT pgtrickle.create_stream_table('per_k', '" + QUERY + "', '1s')",
                        "INSERT INTO items VALUES (1, 'a'), (2, 'a')");
                Poll.until(WAIT, "the embedded default's scheduler refreshes", () -> value(c,
                        "SELECT coalesce(max(n), 0) FROM per_k").equals("2"));
                assertThat(value(c, "SELECT initiated_by FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC LIMIT 1"))
                        .isEqualTo("SCHEDULER");
            }
        } finally {
            p.destroy(); // SIGTERM: the proxy stops the scheduler, the relay and the embedded server
            assertThat(p.waitFor()).isIn(0, 143);
        }
    }
}
