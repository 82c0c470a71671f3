package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each test class gets a fresh database of its own: two classes run these same checks
 * ({@link DatabaseIsolationFirstTest}, {@link DatabaseIsolationSecondTest}).
 */
@PgTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatabaseIsolationContract {

    @BeforeAll
    void register(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("a fresh database has nothing in schema public").isZero();
        }
        IsolationRegistry.DATABASES.put(getClass(), db.name());
    }

    @Test
    void connectsToItsOwnDatabase(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(db.name());
        }
    }

    @Test
    void doesNotShareTheDatabaseOfAnotherClass(TestDatabase db) throws SQLException {
        IsolationRegistry.DATABASES.forEach((type, name) -> {
            if (type != getClass()) {
                assertThat(name).as("database of " + type.getSimpleName()).isNotEqualTo(db.name());
            }
        });
        // would fail in a shared database, where the twin class creates the same table
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE isolation_marker (id int)");
        }
    }
}
