package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The catalog installs itself on first use, once, even when several sessions race to do it. */
@PgTest
class CatalogInstallTest {

    @Test
    void concurrentFirstUseInstallsOnce(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            exec(c, "CREATE TABLE src (id int PRIMARY KEY)", "INSERT INTO src SELECT generate_series(1, 10)");
        }
        int sessions = 4;
        CyclicBarrier start = new CyclicBarrier(sessions);
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                String name = "st_" + i;
                results.add(pool.submit(() -> {
                    try (Connection c = db.connectPgtrickle()) {
                        start.await(30, TimeUnit.SECONDS);
                        exec(c, "SELECT pgtrickle.create_stream_table('" + name + "', 'SELECT id FROM src', '1m', 'FULL')");
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = db.connectPgtrickle()) {
            assertThat(rows(c, "SELECT version FROM pgtrickle.pgt_schema_version ORDER BY version"))
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1,
                            io.pgtrickle.sql.catalog.CatalogInstaller.STANDARD.latestVersion()).mapToObj(String::valueOf).toList());
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).containsExactly("4");
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).containsExactly("1");
            assertThat(rows(c, "SELECT pgtrickle.version() IS NOT NULL")).containsExactly("t");
        }
    }
}
