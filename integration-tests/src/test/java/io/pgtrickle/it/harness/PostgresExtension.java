package io.pgtrickle.it.harness;

import java.io.IOException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension behind {@link PgTest}: one embedded PostgreSQL server per test run, started lazily
 * and kept in the root context's store; one fresh database per test class, kept in the class context's
 * store. Both are {@link AutoCloseable}, which JUnit (5.13+) closes when the owning context ends: the
 * database is dropped after its class and the server stops at the end of the run.
 *
 * <p>The server is started (and its major checked) before every {@link PgTest} class, even one that never
 * asks for a database, so a run on the wrong PostgreSQL major fails every class.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

    private static final Namespace NAMESPACE = Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public TestDatabase resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        ExtensionContext classContext = classContext(extensionContext);
        EmbeddedServer server = server(extensionContext);
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(OwnedDatabase.class,
                        key -> new OwnedDatabase(server, server.createDatabase(
                                classContext.getRequiredTestClass().getSimpleName())),
                        OwnedDatabase.class)
                .database;
    }

    private static EmbeddedServer server(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(ServerSlot.class, key -> ServerSlot.start(), ServerSlot.class)
                .server();
    }

    /** The nearest enclosing context that belongs to a class rather than to a method. */
    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        if (current.getTestClass().isEmpty()) {
            throw new ParameterResolutionException("TestDatabase is only available inside a test class");
        }
        return current;
    }

    /**
     * Remembers the started server, or why it could not start, so a failed start (e.g. the wrong
     * PostgreSQL major) fails every test once instead of starting a server per test.
     */
    private static final class ServerSlot implements AutoCloseable {
        private final EmbeddedServer server;
        private final RuntimeException failure;

        private ServerSlot(EmbeddedServer server, RuntimeException failure) {
            this.server = server;
            this.failure = failure;
        }

        static ServerSlot start() {
            try {
                return new ServerSlot(EmbeddedServer.start(), null);
            } catch (RuntimeException e) {
                return new ServerSlot(null, e);
            }
        }

        EmbeddedServer server() {
            if (failure != null) {
                throw new IllegalStateException("embedded PostgreSQL is not usable: "
                        + failure.getMessage(), failure);
            }
            return server;
        }

        @Override
        public void close() throws IOException {
            if (server != null) {
                server.close();
            }
        }
    }

    /** A class's database, dropped when the class context closes. */
    private static final class OwnedDatabase implements AutoCloseable {
        private final EmbeddedServer server;
        private final TestDatabase database;

        OwnedDatabase(EmbeddedServer server, TestDatabase database) {
            this.server = server;
            this.database = database;
        }

        @Override
        public void close() {
            server.dropDatabase(database);
        }
    }
}
