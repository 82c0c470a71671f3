package io.pgtrickle.proxy.cli;

import io.netty.handler.ssl.SslContext;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import io.pgtrickle.sql.catalog.ProductVersion;
import io.pgtrickle.sql.scheduler.Scheduler;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pgtrickle-proxy}: validates the settings, starts the embedded PostgreSQL unless an upstream
 * is given, starts the relay and the scheduler, prints one {@code psql} line on stdout and runs until
 * stopped. Stopping closes the scheduler first, then the relay, then the embedded server.
 *
 * <p>Exit status: 0 after a normal stop, {@value ConfigException#EXIT_STATUS} for misconfiguration
 * (one line on stderr saying what to fix), 1 for other failures (one line, details in the log).
 */
@Command(name = "pgtrickle-proxy", mixinStandardHelpOptions = true, versionProvider = ProxyCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "PostgreSQL wire-protocol proxy with pgtrickle stream tables: connect psql, pgbench or any "
                    + "PostgreSQL client to it.",
            "Without --upstream it runs an embedded PostgreSQL whose data is kept in --data-dir."},
        footer = {"",
            "Every option can also come from the environment (--data-dir: PGTRICKLE_DATA_DIR) or from the "
                    + "--config properties file (key data-dir). Precedence: command line, environment, file, "
                    + "defaults.",
            "Exit status: 0 stopped, 1 failure, 2 misconfiguration."})
public final class ProxyCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyCommand.class);
    static final String EMBEDDED_USER = "postgres";
    static final String EMBEDDED_DATABASE = "postgres";
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** How long stopping waits for the relay beyond its drain timeout before it stops the embedded server anyway. */
    static final Duration RELAY_CLOSE_MARGIN = Duration.ofSeconds(30);

    @Option(names = {"-l", "--listen"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:6432",
            description = "Where clients connect (port 0: any free port). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--upstream", paramLabel = "URL",
            description = "Proxy this server instead of an embedded one: "
                    + "postgresql://[user@]host[:port][/db][?sslmode=...]. Default port 5432, sslmode prefer.")
    String upstream;

    @Option(names = "--upstream-host", paramLabel = "HOST", description = "Upstream host (overrides the URL's).")
    String upstreamHost;

    @Option(names = "--upstream-port", paramLabel = "PORT", description = "Upstream port (overrides the URL's).")
    Integer upstreamPort;

    @Option(names = "--upstream-sslmode", paramLabel = "MODE",
            description = "disable, allow, prefer, require, verify-ca or verify-full (overrides the URL's).")
    String upstreamSslMode;

    @Option(names = "--upstream-sslrootcert", paramLabel = "FILE",
            description = "PEM root certificates for verify-ca/verify-full (default: the JDK trust store).")
    Path upstreamSslRootCert;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of the embedded server, kept across restarts. Default: ~/.pgtrickle/data.")
    Path dataDir;

    @Option(names = "--ephemeral", description = "Embedded server in a temporary directory, deleted at exit.")
    boolean ephemeral;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain) offered to clients.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "0",
            description = "Clients served at once; the next gets FATAL 53300 (0: no limit but the server's). "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--login-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Time a client has from connecting to being logged in. Default: ${DEFAULT-VALUE}.")
    int loginTimeoutSeconds;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "End a session whose client has been silent this long outside a transaction "
                    + "(FATAL 57P05, as idle_session_timeout; 0: never). Default: ${DEFAULT-VALUE}.")
    int idleTimeoutSeconds;

    @Option(names = "--idle-in-transaction-timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "End a session whose client has been silent this long inside a transaction; it rolls "
                    + "back (FATAL 25P03, as idle_in_transaction_session_timeout; 0: never). Default: ${DEFAULT-VALUE}.")
    int idleInTransactionTimeoutSeconds;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "On stop, how long sessions may finish their transactions before they are ended "
                    + "(FATAL 57P01). Default: ${DEFAULT-VALUE}.")
    int drainTimeoutSeconds;

    @Option(names = "--health-listen", paramLabel = "HOST:PORT",
            description = "Serve HTTP health checks here: GET /health/live and /health/ready (503 while stopping "
                    + "or when the server is unreachable). Default: none.")
    String healthListen;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with defaults (keys as the "
            + "options without dashes: listen, upstream, data-dir, ...).")
    Path config;

    @Mixin
    SchedulerOptions scheduler = new SchedulerOptions();

    @Spec
    CommandSpec spec;

    private final Map<String, String> environment;
    private final ProxyLauncher launcher;
    private final Lifecycle lifecycle;
    private final Path home;

    /** The real command: process environment, Netty relay, signals and shutdown hook of this JVM. */
    public ProxyCommand() {
        this(System.getenv(), ProxyLauncher.netty(), null, Path.of(System.getProperty("user.home")));
    }

    /**
     * A command with its surroundings replaced (tests).
     *
     * @param lifecycle how to wait for the stop, or null for {@link JvmLifecycle} (created on start)
     * @param home the directory holding the default {@code .pgtrickle/data}
     */
    public ProxyCommand(Map<String, String> environment, ProxyLauncher launcher, Lifecycle lifecycle, Path home) {
        this.environment = environment;
        this.launcher = launcher;
        this.lifecycle = lifecycle;
        this.home = home;
    }

    /**
     * The picocli command line for {@code command}: settings from the environment and {@code --config},
     * one-line errors, exit status 2 for misconfiguration.
     */
    public static CommandLine commandLine(ProxyCommand command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setDefaultValueProvider(new ConfigSources(command.environment, () -> command.config));
        commandLine.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(name() + ": " + e.getMessage() + " (see --help)");
            err.flush();
            return ConfigException.EXIT_STATUS;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            PrintWriter err = cl.getErr();
            if (e instanceof ConfigException) {
                err.println(name() + ": " + e.getMessage());
                err.flush();
                return ConfigException.EXIT_STATUS;
            }
            LOG.debug("failure", e);
            err.println(name() + ": failed: " + e + " (details: -Dorg.slf4j.simpleLogger.defaultLogLevel=debug)");
            err.flush();
            return 1;
        });
        return commandLine;
    }

    @Override
    public Integer call() throws Exception {
        ((ConfigSources) spec.defaultValueProvider()).validate(optionKeys());
        InetSocketAddress listenAddress = ListenAddress.parse(listen, origin("listen"));
        InetSocketAddress healthAddress = healthListen == null ? null
                : ListenAddress.parse(healthListen, origin("health-listen"));
        ProxySettings.Limits limits = limits();
        UpstreamUrl upstreamUrl = upstreamUrl();
        checkCombinations(upstreamUrl != null);
        scheduler.check(upstreamUrl != null);
        SslContext clientTls = clientTls();

        // signals are trapped (and cleanup registered) before anything starts, so a Ctrl-C during the
        // start still stops what was started
        Lifecycle running = lifecycle != null ? lifecycle : new JvmLifecycle();
        RunningServices services = new RunningServices(limits.drainTimeout().plus(RELAY_CLOSE_MARGIN));
        running.registerCleanup(services::close);
        UpstreamTarget target;
        SslContext upstreamTls = null;
        if (upstreamUrl != null) {
            upstreamTls = TlsContexts.forUpstream(upstreamUrl.sslMode(), upstreamUrl.sslRootCert());
            target = upstreamUrl.target();
            UpstreamProbe.check(target.host(), target.port(), PROBE_TIMEOUT);
        } else {
            EmbeddedDatabase database = ephemeral ? EmbeddedDatabase.ephemeral()
                    : EmbeddedDatabase.persistent(dataDir != null ? dataDir : home.resolve(".pgtrickle/data"));
            services.attach(database);
            target = database.target();
        }
        if (healthAddress != null) { // bound first: a taken port fails before any client is served
            try {
                services.attach(HealthEndpoint.start(healthAddress, services::proxy, target));
            } catch (BindException e) {
                services.close();
                throw new ConfigException("cannot serve health checks on " + healthListen + " (" + e.getMessage()
                        + "): the address is taken or not local; choose another with --health-listen HOST:PORT", e);
            }
        }
        if (!scheduler.schedulerOnly) {
            launch(services, new ProxySettings(listenAddress, target, clientTls, upstreamTls, limits));
        }
        if (scheduler.enabled()) {
            services.attach(Scheduler.start(scheduler.settings(target, upstreamUrl != null ? upstreamUrl.sslRootCert() : null,
                    upstreamUrl != null ? upstreamUrl.user() : EMBEDDED_USER,
                    upstreamUrl != null ? upstreamUrl.database() : EMBEDDED_DATABASE, environment,
                    services.proxy() != null ? services.proxy().localAddress() : null)));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (scheduler.schedulerOnly) {
            LOG.info("scheduling the stream tables of {}", target);
            out.println("pgtrickle-proxy: scheduler only, for " + target);
        } else {
            LOG.info("proxying {} to {}{}", services.proxy().localAddress(), target, clientTls != null ? ", TLS for clients" : "");
            out.println(upstreamUrl != null
                    ? StartupBanner.psqlLine(services.proxy().localAddress(), upstreamUrl.user(), upstreamUrl.database())
                    : StartupBanner.psqlLine(services.proxy().localAddress(), EMBEDDED_USER, EMBEDDED_DATABASE));
        }
        out.flush();
        try {
            running.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            services.close();
        }
        return 0;
    }

    private void launch(RunningServices services, ProxySettings settings) throws Exception {
        try {
            services.attach(launcher.launch(settings));
        } catch (BindException e) {
            services.close();
            throw new ConfigException("cannot listen on " + listen + " (" + e.getMessage() + "): the address is "
                    + "taken or not local; choose another with --listen HOST:PORT (port 0: any free port)", e);
        } catch (Exception | Error e) {
            services.close();
            throw e;
        }
    }

    private UpstreamUrl upstreamUrl() throws ConfigException {
        if (upstream == null && upstreamHost == null) {
            for (String key : new String[] {"upstream-port", "upstream-sslmode", "upstream-sslrootcert"}) {
                if (spec.findOption("--" + key).getValue() != null) {
                    throw new ConfigException(origin(key) + " needs --upstream URL or --upstream-host HOST");
                }
            }
            return null;
        }
        UpstreamUrl url = upstream != null
                ? UpstreamUrl.parse(upstream, origin("upstream"))
                : new UpstreamUrl(upstreamHost, UpstreamUrl.DEFAULT_PORT, null, null, SslMode.PREFER, null);
        if (upstreamPort != null && (upstreamPort < 1 || upstreamPort > 65535)) {
            throw new ConfigException("invalid " + origin("upstream-port") + " " + upstreamPort
                    + ": use a port from 1 to 65535");
        }
        SslMode mode = upstreamSslMode != null
                ? UpstreamUrl.sslMode(upstreamSslMode, origin("upstream-sslmode")) : url.sslMode();
        return new UpstreamUrl(upstreamHost != null ? upstreamHost : url.host(),
                upstreamPort != null ? upstreamPort : url.port(), url.user(), url.database(), mode,
                upstreamSslRootCert != null ? upstreamSslRootCert : url.sslRootCert());
    }

    private void checkCombinations(boolean proxiesUpstream) throws ConfigException {
        if (ephemeral && dataDir != null) {
            throw new ConfigException(origin("ephemeral") + " and " + origin("data-dir")
                    + " exclude each other: drop one of them");
        }
        if (proxiesUpstream && (dataDir != null || ephemeral)) {
            String embedded = dataDir != null ? origin("data-dir") : origin("ephemeral");
            String remote = upstream != null ? origin("upstream") : origin("upstream-host");
            throw new ConfigException(embedded + " is for the embedded server and " + remote
                    + " proxies an existing one: drop one of them");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigException(tlsCert != null
                    ? origin("tls-cert") + " needs --tls-key FILE (the certificate's PEM private key)"
                    : origin("tls-key") + " needs --tls-cert FILE (the PEM certificate of the key)");
        }
    }

    private SslContext clientTls() throws ConfigException {
        return tlsCert == null ? null : TlsContexts.forClients(tlsCert, tlsKey);
    }

    /** How the user gave an option, for messages: {@code --key}, its environment variable or file key. */
    private String origin(String key) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--" + key)) {
            return "--" + key;
        }
        return ((ConfigSources) spec.defaultValueProvider()).origin(key);
    }

    private Set<String> optionKeys() {
        return spec.options().stream().map(ConfigSources::key).collect(Collectors.toSet());
    }

    private static String name() {
        return "pgtrickle-proxy";
    }

    /** {@code --version}: the product version of the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pgtrickle-proxy " + ProductVersion.get()};
        }
    }

    /** What runs, stopped in order (relay, then database) exactly once, whoever asks first. */
    private static final class RunningServices {
        private final Duration relayCloseLimit;
        private EmbeddedDatabase database;
        private volatile RunningProxy proxy; // read by the health endpoint while close() holds the lock
        private Scheduler scheduler;
        private HealthEndpoint health;
        private boolean closed;

        RunningServices(Duration relayCloseLimit) {
            this.relayCloseLimit = relayCloseLimit;
        }

        /** Adds the health endpoint; stops it at once if the services were already closed meanwhile. */
        synchronized void attach(HealthEndpoint started) {
            health = started;
            if (closed) {
                started.close();
            }
        }

        /** Adds the database; stops it at once if the services were already closed meanwhile. */
        synchronized void attach(EmbeddedDatabase started) {
            database = started;
            if (closed) {
                started.close();
            }
        }

        /** Adds the relay; stops it at once if the services were already closed meanwhile. */
        synchronized void attach(RunningProxy started) {
            proxy = started;
            if (closed) {
                started.close();
            }
        }

        /** Adds the scheduler; stops it at once if the services were already closed meanwhile. */
        synchronized void attach(Scheduler started) {
            scheduler = started;
            if (closed) {
                started.close();
            }
        }

        RunningProxy proxy() {
            return proxy;
        }

        /**
         * Closes the relay (it drains its sessions; waiting at most the drain timeout and
         * {@link #RELAY_CLOSE_MARGIN}, so a stuck relay cannot keep the database running), then the
         * health endpoint (which says "stopping" meanwhile), then stops the database.
         */
        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (scheduler != null) { // first: its refreshes finish (or roll back) while the database runs
                scheduler.close();
            }
            if (proxy != null) {
                Thread closer = new Thread(proxy::close, "pgtrickle-proxy-close");
                closer.setDaemon(true);
                closer.start();
                try {
                    closer.join(relayCloseLimit.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (closer.isAlive()) {
                    LOG.warn("the proxy did not stop within {}s; stopping the database anyway",
                            relayCloseLimit.toSeconds());
                } else {
                    LOG.info("proxy stopped");
                }
            }
            if (health != null) {
                health.close();
            }
            if (database != null) {
                database.close();
            }
        }
    }

    /** --max-connections, --login-timeout, the idle timeouts and --drain-timeout, checked. */
    private ProxySettings.Limits limits() throws ConfigException {
        if (maxConnections < 0) {
            throw new ConfigException("--max-connections must be 0 (no limit) or more, not " + maxConnections);
        }
        if (loginTimeoutSeconds < 1) {
            throw new ConfigException("--login-timeout must be at least 1 second, not " + loginTimeoutSeconds);
        }
        return new ProxySettings.Limits(maxConnections, Duration.ofSeconds(loginTimeoutSeconds),
                seconds("idle-timeout", idleTimeoutSeconds),
                seconds("idle-in-transaction-timeout", idleInTransactionTimeoutSeconds),
                seconds("drain-timeout", drainTimeoutSeconds));
    }

    private Duration seconds(String key, int value) throws ConfigException {
        if (value < 0) {
            throw new ConfigException(origin(key) + " must be 0 or more seconds, not " + value);
        }
        return Duration.ofSeconds(value);
    }
}
