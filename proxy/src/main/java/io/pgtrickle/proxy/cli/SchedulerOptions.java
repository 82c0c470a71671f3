package io.pgtrickle.proxy.cli;

import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.sql.catalog.ProductVersion;
import io.pgtrickle.sql.scheduler.ConnectionFactory;
import io.pgtrickle.sql.scheduler.SchedulerSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The scheduler's options (a picocli mixin of {@link ProxyCommand}). The scheduler opens connections
 * of its own: as {@code --scheduler-user} (default: the embedded server's superuser, or the user of
 * {@code --upstream}), with the password from {@value #PASSWORD_VARIABLE} or else from
 * {@code ~/.pgpass} (pgjdbc reads it), over TLS as the upstream's sslmode says.
 */
final class SchedulerOptions {
    /** The environment variable with the scheduler's password (never an option: it would show in ps). */
    static final String PASSWORD_VARIABLE = "PGTRICKLE_SCHEDULER_PASSWORD";

    @Option(names = "--no-scheduler", description = "Do not refresh stream tables on their schedules here "
            + "(another proxy or a --scheduler-only process does).")
    boolean noScheduler;

    @Option(names = "--scheduler-only", description = "Run only the scheduler for --upstream, no relay "
            + "(a sidecar for applications that use the JDBC driver).")
    boolean schedulerOnly;

    @Option(names = "--scheduler-user", paramLabel = "ROLE", description = "Role the scheduler connects as; "
            + "it must be able to SET ROLE to each stream table's owner. Password: " + PASSWORD_VARIABLE
            + " or ~/.pgpass. Default: the --upstream user (embedded: postgres).")
    String user;

    @Option(names = "--scheduler-database", paramLabel = "DB", description = "Database the scheduler lists the "
            + "others from. Default: the --upstream database, else postgres.")
    String database;

    @Option(names = "--scheduler-databases", paramLabel = "DB[,DB...]", split = ",",
            description = "Schedule only these databases. Default: every database the scheduler may connect to.")
    Set<String> only;

    @Option(names = "--scheduler-tick", paramLabel = "MILLISECONDS", defaultValue = "1000",
            description = "How often the scheduler looks for due stream tables. Default: ${DEFAULT-VALUE}.")
    long tickMillis;

    @Option(names = "--scheduler-parallelism", paramLabel = "N", defaultValue = "4",
            description = "Independent stream tables of one database refreshed at once. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--cron-time-zone", paramLabel = "ZONE", defaultValue = "UTC",
            description = "Time zone of cron schedules (e.g. Europe/Paris). Default: ${DEFAULT-VALUE}.")
    String zone;

    @Option(names = "--history-retention", paramLabel = "DAYS", defaultValue = "7",
            description = "Refresh history older than this is deleted (0: keep it all). Default: ${DEFAULT-VALUE}.")
    int retentionDays;

    /** Whether a scheduler runs in this process. */
    boolean enabled() {
        return !noScheduler;
    }

    /** Checks the options that exclude each other and the values, before anything starts. */
    void check(boolean upstream) throws ConfigException {
        if (noScheduler && schedulerOnly) {
            throw new ConfigException("--no-scheduler and --scheduler-only exclude each other: drop one of them");
        }
        if (schedulerOnly && !upstream) {
            throw new ConfigException("--scheduler-only needs --upstream URL (the server whose stream tables it refreshes)");
        }
        if (tickMillis < 10) {
            throw new ConfigException("--scheduler-tick must be at least 10 milliseconds, not " + tickMillis);
        }
        if (parallelism < 1) {
            throw new ConfigException("--scheduler-parallelism must be at least 1, not " + parallelism);
        }
        if (retentionDays < 0) {
            throw new ConfigException("--history-retention must be 0 (keep all) or more days, not " + retentionDays);
        }
        zone();
    }

    private ZoneId zone() throws ConfigException {
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ConfigException("invalid --cron-time-zone \"" + zone + "\": use a zone such as UTC or Europe/Paris", e);
        }
    }

    /**
     * The settings for a scheduler on {@code target}, logging in as {@code defaultUser} to
     * {@code defaultDatabase} unless the options say otherwise.
     */
    SchedulerSettings settings(UpstreamTarget target, Path sslRootCert, String defaultUser, String defaultDatabase,
            Map<String, String> environment, InetSocketAddress listening) throws ConfigException {
        String role = user != null ? user : defaultUser != null ? defaultUser : System.getProperty("user.name");
        String maintenance = database != null ? database : defaultDatabase != null ? defaultDatabase : "postgres";
        String password = environment.get(PASSWORD_VARIABLE);
        ConnectionFactory connections = db -> {
            Properties p = new Properties();
            p.setProperty("user", role);
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("ApplicationName", "pgtrickle scheduler");
            p.setProperty("sslmode", target.sslMode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            if (sslRootCert != null) {
                p.setProperty("sslrootcert", sslRootCert.toString());
            } else if (target.sslMode().requiresTls()) { // as the relay: the JDK's trust store
                p.setProperty("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
            }
            p.setProperty("connectTimeout", "10");
            p.setProperty("loginTimeout", "10");
            p.setProperty("tcpKeepAlive", "true");
            return DriverManager.getConnection("jdbc:postgresql://" + hostPart(target.host()) + ":" + target.port() + "/"
                    + java.net.URLEncoder.encode(db, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), p);
        };
        return SchedulerSettings.defaults(connections, maintenance, holder(listening))
                .withTick(Duration.ofMillis(tickMillis)).withParallelism(parallelism).withZone(zone())
                .withRetention(Duration.ofDays(retentionDays)).withDatabases(only == null ? Set.of() : only);
    }

    private static String hostPart(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Who runs the scheduler, for the heartbeat: product, host, process, and where its relay listens. */
    private static String holder(InetSocketAddress listening) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown host";
        }
        return "pgtrickle-proxy " + ProductVersion.get() + " on " + host + " pid " + ProcessHandle.current().pid()
                + (listening != null ? ", listening on " + listening.getHostString() + ":" + listening.getPort()
                        : ", scheduler only");
    }
}
