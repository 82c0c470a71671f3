package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import io.pgtrickle.sql.catalog.ProductVersion;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command without an embedded server: help, version, the upstream path and every misconfiguration. */
class ProxyCommandTest {
    @TempDir
    Path dir;

    /** Something that accepts TCP connections, standing in for an upstream PostgreSQL. */
    private ServerSocket upstream;

    @BeforeEach
    void openUpstream() throws Exception {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void closeUpstream() throws Exception {
        upstream.close();
    }

    private String upstreamUrl() {
        return "postgresql://alice@127.0.0.1:" + upstream.getLocalPort() + "/shop?sslmode=disable";
    }

    /** Runs and expects exit status 2 with one line on stderr, nothing on stdout; returns the line. */
    private String misconfigured(Map<String, String> env, String... args) {
        CommandRun run = new CommandRun(env, dir);
        int status = run.execute(args);
        String err = run.err.toString();
        assertThat(status).as(err).isEqualTo(2);
        assertThat(err).startsWith("pgtrickle-proxy: ").endsWith("\n");
        assertThat(err.strip()).doesNotContain("\n");
        assertThat(run.out.toString()).isEmpty();
        assertThat(run.relay.launched).isEmpty();
        return err.strip();
    }

    private String misconfigured(String... args) {
        return misconfigured(Map.of(), args);
    }

    @Test
    void help() {
        CommandRun run = new CommandRun(Map.of(), dir);
        assertThat(run.execute("--help")).isZero();
        assertThat(run.out.toString()).contains("--listen", "--upstream", "--data-dir", "--ephemeral", "--tls-cert",
                "--config", "PGTRICKLE_DATA_DIR");
    }

    @Test
    void version() {
        CommandRun run = new CommandRun(Map.of(), dir);
        assertThat(run.execute("--version")).isZero();
        assertThat(run.out.toString().strip()).isEqualTo("pgtrickle-proxy " + ProductVersion.get());
    }

    @Test
    void proxiesAnUpstreamAndPrintsThePsqlLine() throws Exception {
        CommandRun run = new CommandRun(Map.of(), dir);
        CompletableFuture<Integer> running = run.start("--upstream", upstreamUrl(), "--listen", "127.0.0.1:0");
        String banner = run.awaitBanner(running, 30);
        var settings = run.relay.launched.get(0);
        assertThat(settings.upstream()).isEqualTo(new UpstreamTarget("127.0.0.1", upstream.getLocalPort(), SslMode.DISABLE));
        assertThat(settings.upstreamTls()).isNull();
        assertThat(settings.clientTls()).isNull();
        assertThat(run.relay.launched).hasSize(1);
        assertThat(banner).matches("psql -h 127\\.0\\.0\\.1 -p [1-9][0-9]* -U alice shop\n");
        assertThat(banner).doesNotContain(" -p 0 ");
        assertThat(run.stop(running)).isZero();
        assertThat(run.relay.closed).isTrue();
    }

    @Test
    void upstreamHostAndPortOptionsOverrideTheUrl() throws Exception {
        CommandRun run = new CommandRun(Map.of("PGTRICKLE_UPSTREAM_SSLMODE", "require"), dir);
        CompletableFuture<Integer> running = run.start("--upstream", "postgresql://elsewhere:1/db",
                "--upstream-host", "127.0.0.1", "--upstream-port", String.valueOf(upstream.getLocalPort()),
                "--listen", "127.0.0.1:0", "--no-scheduler");
        run.awaitBanner(running, 30);
        var settings = run.relay.launched.get(0);
        assertThat(settings.upstream()).isEqualTo(new UpstreamTarget("127.0.0.1", upstream.getLocalPort(), SslMode.REQUIRE));
        assertThat(settings.upstreamTls()).isNotNull();
        assertThat(settings.upstreamTls().isClient()).isTrue();
        assertThat(run.stop(running)).isZero();
    }

    @Test
    void sessionLimitsAndTheHealthEndpointComeFromTheOptions() throws Exception {
        CommandRun run = new CommandRun(Map.of("PGTRICKLE_IDLE_TIMEOUT", "300"), dir);
        CompletableFuture<Integer> running = run.start("--upstream", upstreamUrl(), "--listen", "127.0.0.1:0",
                "--idle-in-transaction-timeout", "20", "--drain-timeout", "5", "--health-listen", "127.0.0.1:0",
                "--no-scheduler");
        run.awaitBanner(running, 30);
        var limits = run.relay.launched.get(0).limits();
        assertThat(limits.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(300));
        assertThat(limits.idleInTransactionTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
        assertThat(limits.drainTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(run.stop(running)).isZero();
        assertThat(misconfigured("--upstream", upstreamUrl(), "--idle-timeout", "-1"))
                .contains("--idle-timeout must be 0 or more seconds");
    }

    @Test
    void healthPortTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String line = misconfigured("--upstream", upstreamUrl(), "--listen", "127.0.0.1:0",
                    "--health-listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(line).contains("cannot serve health checks on 127.0.0.1:" + taken.getLocalPort(), "--health-listen");
        }
    }

    @Test
    void portTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String line = misconfigured("--upstream", upstreamUrl(), "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(line).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "--listen");
        }
    }

    @Test
    void upstreamUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        assertThat(misconfigured("--upstream", "postgresql://127.0.0.1:" + closedPort + "/db"))
                .contains("cannot reach the upstream server at 127.0.0.1:" + closedPort);
        assertThat(misconfigured("--upstream-host", "127.0.0.1", "--upstream-port", String.valueOf(closedPort)))
                .contains("cannot reach");
        assertThat(misconfigured("--upstream-host", "no-such-host.invalid")).contains("unknown host");
    }

    @Test
    void badUrl() {
        assertThat(misconfigured("--upstream", "mysql://h/db")).contains("invalid --upstream URL");
        assertThat(misconfigured(Map.of("PGTRICKLE_UPSTREAM", "postgresql://h:x/db")))
                .contains("invalid PGTRICKLE_UPSTREAM URL");
    }

    @Test
    void badListenAddress() {
        assertThat(misconfigured("--listen", "localhost")).contains("invalid --listen 'localhost'");
        assertThat(misconfigured("--listen", "127.0.0.1:70000")).contains("0 to 65535");
    }

    @Test
    void badSslMode() {
        assertThat(misconfigured("--upstream", upstreamUrl(), "--upstream-sslmode", "always"))
                .contains("--upstream-sslmode", "verify-full");
    }

    @Test
    void upstreamOptionsWithoutUpstream() {
        assertThat(misconfigured("--upstream-port", "5433")).contains("--upstream-port needs --upstream");
    }

    @Test
    void tlsCertWithoutKeyAndTheOtherWayRound() throws Exception {
        TestCertificates pair = TestCertificates.generate(dir, "server", "RSA");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--tls-cert", pair.certificate().toString()))
                .contains("--tls-cert needs --tls-key");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--tls-key", pair.key().toString()))
                .contains("--tls-key needs --tls-cert");
    }

    @Test
    void unreadableOrInvalidCertificateOrKey() throws Exception {
        TestCertificates pair = TestCertificates.generate(dir, "server", "RSA");
        TestCertificates other = TestCertificates.generate(dir, "other", "RSA");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        String url = upstreamUrl();
        assertThat(misconfigured("--upstream", url, "--tls-cert", dir.resolve("missing.crt").toString(),
                "--tls-key", pair.key().toString())).contains("cannot read --tls-cert");
        assertThat(misconfigured("--upstream", url, "--tls-cert", garbage.toString(),
                "--tls-key", pair.key().toString())).contains("--tls-cert " + garbage);
        assertThat(misconfigured("--upstream", url, "--tls-cert", pair.certificate().toString(),
                "--tls-key", garbage.toString())).contains("--tls-key " + garbage, "no PEM private key");
        assertThat(misconfigured("--upstream", url, "--tls-cert", pair.certificate().toString(),
                "--tls-key", other.key().toString())).contains("does not belong to the certificate");
    }

    @Test
    void schedulerOnlyRunsNoRelay() throws Exception {
        CommandRun run = new CommandRun(Map.of(), dir);
        CompletableFuture<Integer> running = run.start("--upstream", upstreamUrl(), "--scheduler-only");
        String banner = run.awaitBanner(running, 30);
        assertThat(banner).isEqualTo("pgtrickle-proxy: scheduler only, for 127.0.0.1:" + upstream.getLocalPort()
                + " (sslmode=disable)\n");
        assertThat(run.relay.launched).isEmpty();
        assertThat(run.stop(running)).isZero();
    }

    @Test
    void schedulerMisconfiguration() {
        assertThat(misconfigured("--scheduler-only")).contains("--scheduler-only needs --upstream");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--scheduler-only", "--no-scheduler"))
                .contains("--no-scheduler and --scheduler-only exclude each other");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--cron-time-zone", "Mars/Olympus"))
                .contains("invalid --cron-time-zone \"Mars/Olympus\"");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--scheduler-tick", "1"))
                .contains("--scheduler-tick must be at least 10 milliseconds");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--scheduler-parallelism", "0"))
                .contains("--scheduler-parallelism must be at least 1");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--history-retention", "-2"))
                .contains("--history-retention must be 0");
    }

    @Test
    void ephemeralWithDataDir() {
        assertThat(misconfigured("--ephemeral", "--data-dir", dir.toString()))
                .contains("--ephemeral and --data-dir exclude each other");
        assertThat(misconfigured(Map.of("PGTRICKLE_DATA_DIR", dir.toString()), "--ephemeral"))
                .contains("--ephemeral and PGTRICKLE_DATA_DIR");
    }

    @Test
    void upstreamWithDataDirOrEphemeral() {
        assertThat(misconfigured("--upstream", upstreamUrl(), "--data-dir", dir.toString()))
                .contains("--data-dir is for the embedded server and --upstream proxies an existing one");
        assertThat(misconfigured("--upstream", upstreamUrl(), "--ephemeral")).contains("--ephemeral is for the embedded");
    }

    @Test
    void configFileProblems() throws Exception {
        assertThat(misconfigured("--config", dir.resolve("none.properties").toString()))
                .contains("cannot read --config");
        Path typo = Files.writeString(dir.resolve("typo.properties"), "listn=1\n");
        assertThat(misconfigured("--config", typo.toString())).contains("unknown key listn", "listen");
    }

    @Test
    void unknownOptionsAndBadNumbers() {
        assertThat(misconfigured("--lisen", "1")).contains("Unknown option", "(see --help)");
        assertThat(misconfigured("--upstream-host", "h", "--upstream-port", "x")).contains("--upstream-port");
    }
}
