package io.pgtrickle.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An embedded PostgreSQL server with one fresh database, for tests that do not run on JUnit Jupiter
 * (jqwik properties), where {@link PgTest} cannot reach. Started and checked like the shared server;
 * closing drops the database and stops the server.
 */
public final class StandaloneDatabase implements AutoCloseable {
    private final EmbeddedServer server;
    private final TestDatabase database;

    private StandaloneDatabase(EmbeddedServer server, TestDatabase database) {
        this.server = server;
        this.database = database;
    }

    public static StandaloneDatabase start(String label) {
        EmbeddedServer server = EmbeddedServer.start();
        return new StandaloneDatabase(server, server.createDatabase(label));
    }

    public TestDatabase database() {
        return database;
    }

    @Override
    public void close() {
        try {
            server.dropDatabase(database);
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
