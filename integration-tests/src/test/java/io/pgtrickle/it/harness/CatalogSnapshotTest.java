package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CatalogSnapshot sees the changes it must see and ignores the volatile ones. */
@PgTest
class CatalogSnapshotTest {

    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connect();
        exec("DROP SCHEMA IF EXISTS app, pgtrickle CASCADE");
        exec("CREATE SCHEMA app");
        exec("CREATE TABLE app.orders (id serial PRIMARY KEY, amount numeric)");
        exec("CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    @Test
    void isStableWhenNothingChanges() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        exec("INSERT INTO app.orders (amount) VALUES (1)"); // user data and sequence values are not captured
        exec("CREATE TEMP TABLE scratch (x int)"); // neither are temp schemas
        CatalogSnapshot after = CatalogSnapshot.capture(c);
        assertThat(after).isEqualTo(before);
        assertThat(after.diff(before)).isEmpty();
        assertThat(before.sections().get("relations")).contains("app.orders relkind=r", "app.orders_id_seq relkind=S");
    }

    @Test
    void detectsANewTable() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        exec("CREATE TABLE app.extra (x int)");
        CatalogSnapshot after = CatalogSnapshot.capture(c);
        assertThat(after).isNotEqualTo(before);
        assertThat(after.diff(before)).contains("+ app.extra relkind=r", "+ app.extra.x integer");
    }

    @Test
    void detectsANewTrigger() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        exec("CREATE TRIGGER orders_touch BEFORE INSERT ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch()");
        CatalogSnapshot after = CatalogSnapshot.capture(c);
        assertThat(after).isNotEqualTo(before);
        assertThat(after.diff(before)).contains("+ app.orders trigger orders_touch -> app.touch()");
    }

    @Test
    void detectsANewFunctionAndAChangedBody() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        exec("CREATE FUNCTION app.twice(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2'");
        CatalogSnapshot added = CatalogSnapshot.capture(c);
        assertThat(added).isNotEqualTo(before);
        assertThat(added.diff(before)).contains("+ app.twice(x integer) prokind=f");

        exec("CREATE OR REPLACE FUNCTION app.twice(x int) RETURNS int LANGUAGE sql AS 'SELECT x + x'");
        assertThat(CatalogSnapshot.capture(c)).isNotEqualTo(added);
    }

    @Test
    void detectsRowsInPgtrickleSchemas() throws SQLException {
        exec("CREATE SCHEMA pgtrickle");
        exec("CREATE TABLE pgtrickle.catalog (name text, state text)");
        exec("INSERT INTO pgtrickle.catalog VALUES ('st1', 'ok')");
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        assertThat(before.sections().get("rows of pgtrickle.catalog")).containsExactly("(st1,ok)");

        exec("INSERT INTO pgtrickle.catalog VALUES ('st1', 'ok')");
        CatalogSnapshot after = CatalogSnapshot.capture(c);
        assertThat(after).isNotEqualTo(before);
        assertThat(after.diff(before)).contains("different number of times");
    }

    @Test
    void detectsANewSchema() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        exec("CREATE SCHEMA pgtrickle_changes");
        assertThat(CatalogSnapshot.capture(c).diff(before)).contains("[namespaces]", "+ pgtrickle_changes");
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
