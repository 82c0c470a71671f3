package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;

import io.pgtrickle.it.harness.InProcessProxy;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Poll;
import io.pgtrickle.it.harness.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Password authentication relayed untouched: SCRAM-SHA-256 and md5 exchanges between pgjdbc or psql and
 * the server, through the proxy, which stores no secret. A wrong password gets the server's own error.
 *
 * <p>The embedded server's pg_hba.conf trusts everyone (initdb -A trust). For the duration of this class
 * two roles of its own get password lines in front of the trust lines; the file is restored (and the
 * configuration reloaded) afterwards, so other test classes, which connect as other roles, see no change.
 */
@PgTest
class ProxyAuthTest {
    private static final String SCRAM_PASSWORD = "s3cret scram ☃";
    /** pgjdbc's system property naming its password file (instead of ~/.pgpass). */
    private static final String PASSFILE_PROPERTY = "org.postgresql.pgpassfile";
    private static final String MD5_PASSWORD = "md5-secret";

    private static RunningProxy proxy;
    private static Path hbaFile;
    private static String originalHba;
    private static String scramRole;
    private static String md5Role;
    private static TestDatabase database;

    @BeforeAll
    static void setUp(TestDatabase db) throws Exception {
        database = db;
        proxy = RunningProxy.start(db);
        scramRole = db.name() + "_scram";
        md5Role = db.name() + "_md5";
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE auth_method = 'trust')"
                    + " FROM pg_hba_file_rules WHERE error IS NULL")) {
                rs.next();
                // documents the premise: without these lines every role would get in without a password
                assertThat(rs.getLong(2)).as("trust lines in pg_hba.conf").isEqualTo(rs.getLong(1));
            }
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + scramRole + " LOGIN PASSWORD '" + SCRAM_PASSWORD + "'");
            s.execute("SET password_encryption = 'md5'");
            s.execute("CREATE ROLE " + md5Role + " LOGIN PASSWORD '" + MD5_PASSWORD + "'");
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hbaFile = Path.of(rs.getString(1));
            }
            originalHba = Files.readString(hbaFile, StandardCharsets.UTF_8);
            String lines = "# ProxyAuthTest, removed after the class\n"
                    + "host all " + scramRole + " 127.0.0.1/32 scram-sha-256\n"
                    + "host all " + scramRole + " ::1/128 scram-sha-256\n"
                    + "host all " + md5Role + " 127.0.0.1/32 md5\n"
                    + "host all " + md5Role + " ::1/128 md5\n";
            Files.writeString(hbaFile, lines + originalHba, StandardCharsets.UTF_8);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")) {
                rs.next();
                assertThat(rs.getLong(1)).as("pg_hba.conf errors").isZero();
            }
            s.execute("SELECT pg_reload_conf()");
        }
        awaitPasswordRequired(db, scramRole);
        awaitPasswordRequired(db, md5Role);
    }

    /** pg_reload_conf() signals the postmaster: wait until a direct login without password is refused. */
    private static void awaitPasswordRequired(TestDatabase db, String role) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(
                    "jdbc:postgresql://" + db.host() + ":" + db.port() + "/" + db.name() + "?user=" + role)) {
                Thread.sleep(50);
            } catch (SQLException expected) {
                return;
            }
        }
        throw new AssertionError("pg_hba.conf lines for " + role + " never took effect");
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (originalHba != null) {
                Files.writeString(hbaFile, originalHba, StandardCharsets.UTF_8);
                try (Connection c = database.connect(); Statement s = c.createStatement()) {
                    s.execute("SELECT pg_reload_conf()");
                }
            }
        } finally {
            try {
                proxy.close();
            } finally {
                try (Connection c = database.connect(); Statement s = c.createStatement()) {
                    for (String role : new String[] {scramRole, md5Role}) {
                        if (role != null) {
                            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"
                                    + role + "'");
                            s.execute("DROP ROLE IF EXISTS " + role);
                        }
                    }
                }
            }
        }
    }

    /**
     * The scheduler's own login: a sidecar ({@code --scheduler-only}) as a role with a SCRAM password,
     * which it reads from PGTRICKLE_SCHEDULER_PASSWORD or from a password file (pgjdbc's
     * {@code ~/.pgpass}, here named by pgjdbc's {@code org.postgresql.pgpassfile}, which this JVM's home
     * directory cannot be changed for). It logs in, leads the database and writes the heartbeat.
     */
    @ParameterizedTest
    @ValueSource(strings = {"environment", "pgpass"})
    void theSchedulerLogsInWithItsPasswordFromTheEnvironmentOrAPasswordFile(String source, TestDatabase db,
            @TempDir Path home) throws Exception {
        String upstream = "postgresql://" + scramRole + "@" + db.host() + ":" + db.port() + "/" + db.name() + "?sslmode=disable";
        Map<String, String> environment = Map.of();
        String previous = System.getProperty(PASSFILE_PROPERTY);
        if (source.equals("environment")) {
            environment = Map.of("PGTRICKLE_SCHEDULER_PASSWORD", SCRAM_PASSWORD);
        } else {
            Path passfile = home.resolve(".pgpass");
            Files.writeString(passfile, "*:*:*:" + scramRole + ":" + SCRAM_PASSWORD.replace("\\", "\\\\").replace(":", "\\:")
                    + "\n", StandardCharsets.UTF_8);
            System.setProperty(PASSFILE_PROPERTY, passfile.toString());
        }
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE sched_login (id int PRIMARY KEY)",
                    "SELECT pgtrickle.create_stream_table('sched_login_st', 'SELECT id FROM sched_login', '1h', 'FULL')");
            try (InProcessProxy sidecar = InProcessProxy.start(home, environment, "--scheduler-only", "--upstream", upstream,
                    "--scheduler-tick", "100", "--scheduler-databases", db.name())) {
                assertThat(sidecar.banner()).startsWith("pgtrickle-proxy: scheduler only");
                Poll.until(Duration.ofSeconds(30), "the scheduler logs in as " + scramRole + " and writes its heartbeat",
                        () -> value(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler_heartbeat h JOIN pg_stat_activity a "
                                + "ON a.datname = h.database_name WHERE h.database_name = current_database() "
                                + "AND a.usename = '" + scramRole + "' AND a.application_name = 'pgtrickle scheduler'").equals("1"));
            } finally {
                exec(c, "SELECT pgtrickle.drop_stream_table('sched_login_st')", "DROP TABLE sched_login");
            }
        } finally {
            if (previous == null) {
                System.clearProperty(PASSFILE_PROPERTY);
            } else {
                System.setProperty(PASSFILE_PROPERTY, previous);
            }
        }
    }

    private static String url(TestDatabase db) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.name();
    }

    private static Connection connect(TestDatabase db, String role, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", role);
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url(db), p);
    }

    private static String role(String method) {
        return "scram".equals(method) ? scramRole : md5Role;
    }

    private static String password(String method) {
        return "scram".equals(method) ? SCRAM_PASSWORD : MD5_PASSWORD;
    }

    private static String serverMethod(String method) {
        return "scram".equals(method) ? "scram-sha-256" : "md5";
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram", "md5"})
    void pgjdbcLogsInWithThePassword(String method, TestDatabase db) throws SQLException {
        try (Connection c = connect(db, role(method), password(method)); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(role(method));
        }
        if (db.serverVersionNum() >= 160000) {
            // SYSTEM_USER (PostgreSQL 16+) tells how the server authenticated the session
            try (Connection c = connect(db, role(method), password(method)); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT system_user")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(serverMethod(method) + ":" + role(method));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram", "md5"})
    void aWrongPasswordGetsTheServersOwnError(String method, TestDatabase db) throws SQLException {
        SQLException e = catchThrowableOfType(SQLException.class, () -> connect(db, role(method), "wrong").close());
        assertThat(e.getSQLState()).isEqualTo("28P01");
        assertThat(e.getMessage()).contains("password authentication failed for user \"" + role(method) + "\"");
        // and the proxy goes on serving
        try (Connection c = connect(db, role(method), password(method))) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void noPasswordAtAllIsRefusedByTheServersRequest(TestDatabase db) {
        SQLException e = catchThrowableOfType(SQLException.class, () -> connect(db, scramRole, null).close());
        // pgjdbc sees the server's SASL request and refuses to go on without a password
        assertThat(e.getMessage()).containsIgnoringCase("password");
    }

    private static ExternalClient.Result psql(TestDatabase db, String role, String password) throws Exception {
        String psql = ExternalClient.require("psql");
        return ExternalClient.run(List.of(psql, "-X", "-A", "-t", "-w", "-h", "127.0.0.1", "-p",
                String.valueOf(proxy.port()), "-U", role, "-d", db.name(), "-c", "SELECT current_user"),
                Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "10"), null, 60);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram", "md5"})
    void psqlLogsInWithPgpassword(String method, TestDatabase db) throws Exception {
        ExternalClient.Result r = psql(db, role(method), password(method)).succeeded();
        assertThat(r.stdout().strip()).isEqualTo(role(method));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scram", "md5"})
    void psqlWithAWrongPasswordGetsTheServersError(String method, TestDatabase db) throws Exception {
        ExternalClient.Result r = psql(db, role(method), "wrong");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("password authentication failed for user \"" + role(method) + "\"");
    }
}
