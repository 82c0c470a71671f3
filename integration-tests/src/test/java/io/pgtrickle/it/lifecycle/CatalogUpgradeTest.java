package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.sql.catalog.CatalogInstaller;
import io.pgtrickle.sql.session.JdbcSession;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A database whose catalog is at an older version is migrated in place by the numbered migrations
 * it lacks, once, keeping its stream tables; a newer migration here is a test-only one on top of
 * the shipped ones. The shipped V002 is applied to a catalog made at version 1 by the first call.
 */
@PgTest
class CatalogUpgradeTest {

    @Test
    void olderCatalogIsMigratedInPlaceOnce(TestDatabase db) throws Exception {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE src (id int)", "INSERT INTO src VALUES (1)",
                    "SELECT pgtrickle.create_stream_table('kept', 'SELECT id FROM src', '1m', 'FULL')");
        }
        List<CatalogInstaller.Migration> next = new ArrayList<>(CatalogInstaller.STANDARD.migrations());
        next.add(new CatalogInstaller.Migration(next.size() + 1,
                "ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN upgrade_marker text DEFAULT 'v2';"));
        CatalogInstaller newer = new CatalogInstaller(next);
        try (Connection c = db.connect()) {
            JdbcSession session = new JdbcSession(c);
            assertThat(CatalogInstaller.installedVersion(session)).isEqualTo(next.size() - 1);
            newer.ensureAutonomously(session);
            newer.ensureAutonomously(session); // a second run finds nothing to do
            c.setAutoCommit(false);
            newer.ensureInBlock(session);
            c.commit();
            c.setAutoCommit(true);
            assertThat(CatalogInstaller.installedVersion(session)).isEqualTo(next.size());
            assertThat(rows(c, "SELECT version FROM pgtrickle.pgt_schema_version ORDER BY version"))
                    .hasSize(next.size());
            assertThat(rows(c, "SELECT pgt_name, upgrade_marker FROM pgtrickle.pgt_stream_tables"))
                    .containsExactly("kept | v2");
        }
        try (Connection c = db.connectPgtrickle()) {
            // the driver's own (older) catalog knowledge is satisfied by a newer catalog
            exec(c, "INSERT INTO src VALUES (2)", "SELECT pgtrickle.refresh_stream_table('kept')");
            assertThat(rows(c, "SELECT id FROM kept ORDER BY id")).containsExactly("1", "2");
        }
    }

    @Test
    void aVersionOneCatalogGetsTheShippedMigrationsOnTheFirstCall(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            exec(c, "DROP SCHEMA IF EXISTS pgtrickle, pgtrickle_changes CASCADE"); // the class's other test may have one
            new CatalogInstaller(CatalogInstaller.STANDARD.migrations().subList(0, 1)).ensureAutonomously(new JdbcSession(c));
            exec(c, "CREATE TABLE v1_src (id int PRIMARY KEY)", "INSERT INTO v1_src VALUES (1)");
            assertThat(rows(c, "SELECT max(version) FROM pgtrickle.pgt_schema_version")).containsExactly("1");
        }
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "SELECT pgtrickle.create_stream_table('v1_st', 'SELECT id FROM v1_src', '1m', 'FULL')",
                    "BEGIN", "INSERT INTO v1_src VALUES (2)", "SELECT pgtrickle.refresh_stream_table('v1_st')", "COMMIT",
                    "SELECT pgtrickle.refresh_stream_table('v1_st')");
            assertThat(rows(c, "SELECT max(version) FROM pgtrickle.pgt_schema_version"))
                    .containsExactly(String.valueOf(CatalogInstaller.STANDARD.latestVersion()));
            assertThat(rows(c, "SELECT action FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC LIMIT 1"))
                    .containsExactly("NO_DATA");
            exec(c, "SELECT pgtrickle.drop_stream_table('v1_st')");
        }
    }
}
