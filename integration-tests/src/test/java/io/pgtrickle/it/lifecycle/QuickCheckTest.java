package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** The seed's quick check, verbatim, through the driver: create, read, drop, and no trace left. */
@PgTest
class QuickCheckTest {

    @Test
    void quickCheckThenNoTrace(TestDatabase db) throws Exception {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE test_source (id INT PRIMARY KEY, val TEXT)");
            exec(c, "INSERT INTO test_source VALUES (1,'hello')");
            exec(c, "SELECT pgtrickle.create_stream_table('test_st', 'SELECT id, val FROM test_source', '1m', 'FULL');");
            assertThat(rows(c, "SELECT * FROM test_st;")).containsExactly("1 | hello");

            assertThat(rows(c, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'test_source'::regclass ORDER BY 1"))
                    .containsExactly("pgt_capture_del", "pgt_capture_ins", "pgt_capture_trunc", "pgt_capture_upd");

            exec(c, "SELECT pgtrickle.drop_stream_table('test_st')");
            exec(c, "DROP TABLE test_source");

            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_dependencies")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = 'pgtrickle_changes'")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    + "WHERE n.nspname = 'pgtrickle_changes'")).containsExactly("0");
            assertThat(rows(c, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).containsExactly("0");
            assertThat(rows(c, "SELECT to_regclass('test_st') IS NULL")).containsExactly("t");
        }
    }
}
