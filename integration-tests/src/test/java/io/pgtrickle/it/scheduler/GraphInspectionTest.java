package io.pgtrickle.it.scheduler;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** dependency_tree(), health_check() and cycle rejection: the graph as users inspect it. */
@PgTest
class GraphInspectionTest {

    @Test
    void theTreeShowsEachTopStreamTableWithItsSourcesAndHealthCheckSaysWhatIsWrong(TestDatabase db) throws Exception {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE orders (id int PRIMARY KEY, region text, amount int)", "CREATE TABLE regions (region text PRIMARY KEY)",
                    "INSERT INTO orders VALUES (1, 'eu', 10)", "INSERT INTO regions VALUES ('eu')",
                    "SELECT pgtrickle.create_stream_table('big', 'SELECT id, region, amount FROM orders WHERE amount > 5', 'calculated')",
                    "SELECT pgtrickle.create_stream_table('per_region', 'SELECT b.region, sum(b.amount) AS total FROM big b "
                            + "JOIN regions r ON r.region = b.region GROUP BY b.region', '1m')");
            assertThat(rows(c, "SELECT tree || ' | ' || kind || ' | ' || coalesce(schedule, '') FROM pgtrickle.dependency_tree()"))
                    .containsExactly("public.per_region | STREAM_TABLE | 1m",
                            "    └─ public.big | STREAM_TABLE | calculated",
                            "        └─ public.orders | TABLE | ",
                            "    └─ public.regions | TABLE | ");

            assertThat(rows(c, "SELECT check_name || ' ' || severity FROM pgtrickle.health_check()")).containsExactly(
                    "scheduler_running WARNING", "suspended_tables OK", "error_tables OK", "stale_tables OK",
                    "buffer_growth OK", "missing_triggers OK");
            assertThat(value(c, "SELECT detail FROM pgtrickle.health_check() WHERE check_name = 'scheduler_running'"))
                    .startsWith("no scheduler has run in this database");
            exec(c, "SELECT pgtrickle.alter_stream_table('big', status => 'SUSPENDED')", "DROP TRIGGER pgt_capture_del ON orders");
            assertThat(rows(c, "SELECT check_name || ' ' || severity || ' ' || detail FROM pgtrickle.health_check() "
                    + "WHERE severity <> 'OK' AND check_name <> 'scheduler_running'")).containsExactly(
                    "suspended_tables CRITICAL public.big: suspended",
                    "missing_triggers CRITICAL public.orders has 3 of 4 capture triggers: drop and re-create the stream tables that read it");

            // a cycle through alter is refused, naming it
            Sql.fails(c, "3F000", "SELECT pgtrickle.alter_stream_table('big', query => 'SELECT region AS id, region, total AS amount "
                    + "FROM per_region')");
            exec(c, "SELECT pgtrickle.drop_stream_table('big', cascade => true)");
        }
    }
}
