package io.pgtrickle.it.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The published jar, driver/target/pgtrickle-jdbc.jar, is self-contained: loaded alone (no other
 * class path, as an application that swaps pgjdbc's jar for ours would), it registers its driver
 * through ServiceLoader, runs the quick check, and unwraps to its bundled org.postgresql.PGConnection.
 */
@PgTest
class DriverJarTest {

    @Test
    void jarAloneRunsTheQuickCheck(TestDatabase db) throws Exception {
        Path jar = Path.of(System.getProperty("user.dir")).resolveSibling("driver").resolve("target/pgtrickle-jdbc.jar");
        assertThat(jar).as("built by the driver module's package phase").exists();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Driver driver = null;
            for (Driver d : ServiceLoader.load(Driver.class, loader)) {
                if (d.getClass().getName().equals("io.pgtrickle.jdbc.Driver")) {
                    driver = d;
                }
            }
            assertThat(driver).as("io.pgtrickle.jdbc.Driver registered in META-INF/services").isNotNull();
            assertThat(driver.getClass().getClassLoader()).isSameAs(loader);
            Properties props = new Properties();
            props.setProperty("user", db.user());
            try (Connection c = driver.connect(db.pgtrickleUrl(), props); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE test_source (id INT PRIMARY KEY, val TEXT)");
                s.execute("INSERT INTO test_source VALUES (1,'hello')");
                s.execute("SELECT pgtrickle.create_stream_table('test_st', 'SELECT id, val FROM test_source', '1m', 'FULL')");
                try (ResultSet rs = s.executeQuery("SELECT * FROM test_st")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1) + " | " + rs.getString(2)).isEqualTo("1 | hello");
                }
                Class<?> pgConnection = loader.loadClass("org.postgresql.PGConnection");
                assertThat(c.isWrapperFor(pgConnection)).isTrue();
                assertThat(pgConnection.isInstance(c.unwrap(pgConnection))).isTrue();
                s.execute("SELECT pgtrickle.drop_stream_table('test_st')");
                s.execute("DROP TABLE test_source");
            }
        }
        assertThat(Files.size(jar)).as("no stray dependencies bundled (pgjdbc, the engine, the planner and Calcite)")
                .isLessThan(32_000_000);
    }

    /**
     * The planner runs from the jar alone, Calcite included, with guava and jackson relocated so that
     * the application's own versions of them cannot clash with the driver's.
     */
    @Test
    void plannerRunsFromTheJarWithItsLibrariesRelocated() throws Exception {
        Path jar = Path.of(System.getProperty("user.dir")).resolveSibling("driver").resolve("target/pgtrickle-jdbc.jar");
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            assertThat(zip.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("com/google/") || n.startsWith("com/fasterxml/jackson/")))
                    .as("guava and jackson only under io/pgtrickle/jdbc/shaded/").isEmpty();
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> column = loader.loadClass("io.pgtrickle.planner.catalog.PgColumn");
            Class<?> relation = loader.loadClass("io.pgtrickle.planner.catalog.PgRelation");
            Class<?> catalog = loader.loadClass("io.pgtrickle.planner.catalog.PgCatalog");
            Object id = column.getConstructor(String.class, String.class, boolean.class).newInstance("id", "integer", true);
            Object v = column.getConstructor(String.class, String.class, boolean.class).newInstance("v", "text", false);
            Object src = relation.getConstructor(String.class, String.class, java.util.List.class, java.util.List.class)
                    .newInstance("public", "src", java.util.List.of(id, v), java.util.List.of("id"));
            Object cat = catalog.getConstructor(java.util.List.class, java.util.List.class)
                    .newInstance(java.util.List.of(src), java.util.List.of("public"));
            Object analysis = loader.loadClass("io.pgtrickle.planner.Planner").getMethod("analyze", String.class, catalog)
                    .invoke(null, "SELECT id, upper(v) AS v FROM src WHERE id > 1", cat);
            assertThat(analysis.getClass().getSimpleName()).as(String.valueOf(analysis)).isEqualTo("Maintainable");
            Object tree = analysis.getClass().getMethod("tree").invoke(analysis);
            assertThat(tree.getClass().getMethod("render").invoke(tree)).isEqualTo(
                    "Project[id := id, v := upper(v)]\n  Filter[id > 1]\n    Scan[public.src key (id)]\n");
        }
    }
}

