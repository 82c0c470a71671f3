package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * validate_query through the JDBC driver: rows of (check, result, severity) saying whether the query
 * works, what it reads, whether it is maintained differentially (the rule, or the construct in the way) and
 * what AUTO would choose; an error as a row with its SQLSTATE; nothing created, the caller's transaction
 * untouched.
 */
@PgTest
class ValidateQueryTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS vq_orders, vq_regions CASCADE", "DROP MATERIALIZED VIEW IF EXISTS vq_mv",
                "CREATE TABLE vq_regions (region text PRIMARY KEY, name text)",
                "CREATE TABLE vq_orders (id bigint PRIMARY KEY, region text, amount numeric(12,2))",
                "CREATE MATERIALIZED VIEW vq_mv AS SELECT region FROM vq_regions");
    }

    @AfterEach
    void tearDown() throws SQLException {
        c.close();
    }

    /** check → "result [severity]". */
    private Map<String, String> validate(String query) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM pgtrickle.validate_query(?)")) {
            ps.setString(1, query);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(3);
                assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("check");
                while (rs.next()) {
                    out.put(rs.getString("check"), rs.getString("result") + " [" + rs.getString("severity") + "]");
                }
            }
        }
        return out;
    }

    @Test
    void aMaintainableQuerySaysHowItIsMaintained() throws SQLException {
        Map<String, String> rows = validate("SELECT o.id, r.name FROM vq_orders o JOIN vq_regions r USING (region)");
        assertThat(rows.get("query")).isEqualTo("valid: 2 columns (id bigint, name text) [INFO]");
        assertThat(rows.get("sources")).isEqualTo("\"public\".\"vq_orders\" (table), \"public\".\"vq_regions\" (table) [INFO]");
        assertThat(rows.get("differential")).startsWith("supported: KEYS_RECOMPUTED").endsWith("[INFO]");
        assertThat(rows.get("operator_tree")).contains("Join[inner");
        assertThat(rows.get("auto_mode")).isEqualTo("DIFFERENTIAL: the query is maintained differentially [INFO]");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).isEqualTo("0");
        assertThat(value(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'vq_orders'::regclass")).isEqualTo("0");
    }

    @Test
    void whatStandsInTheWayIsNamed() throws SQLException {
        Map<String, String> rows = validate("SELECT o.id, r.name FROM vq_orders o FULL JOIN vq_regions r USING (region)");
        assertThat(rows.get("differential")).isEqualTo("not supported: FULL outer joins [WARNING]");
        assertThat(rows.get("auto_mode")).startsWith("FULL: the query cannot be maintained differentially: FULL outer joins");
        rows = validate("SELECT region, max(amount) AS high, count(DISTINCT id) AS n FROM vq_orders GROUP BY region");
        assertThat(rows.get("differential")).startsWith("supported: GROUPS_RECOMPUTED");
        assertThat(rows.get("auto_mode")).startsWith("FULL: a grouped query with aggregates other than");
        rows = validate("SELECT id FROM vq_orders WHERE random() > 0.5");
        assertThat(rows.get("differential")).contains("random").endsWith("[WARNING]");
        rows = validate("SELECT region FROM vq_mv");
        assertThat(rows.get("capture")).contains("materialized view").endsWith("[WARNING]");
    }

    @Test
    void anInvalidQueryIsARowWithItsSqlState() throws SQLException {
        assertThat(validate("SELECT nope FROM vq_orders").get("query"))
                .isEqualTo("42703: column \"nope\" does not exist [ERROR]");
        assertThat(validate("SELECT * FROM missing_table").get("query")).startsWith("42P01: ").endsWith("[ERROR]");
        assertThat(validate("DELETE FROM vq_orders").get("query")).startsWith("42000: ").endsWith("[ERROR]");
        Sql.fails(c, "22023", "SELECT * FROM pgtrickle.validate_query(NULL)");
    }

    @Test
    void insideATransactionItLeavesTheCallersWorkAlone() throws SQLException {
        c.setAutoCommit(false);
        exec(c, "INSERT INTO vq_regions VALUES ('n', 'North')");
        assertThat(validate("SELECT nope FROM vq_orders").get("query")).endsWith("[ERROR]");
        assertThat(validate("SELECT region FROM vq_regions").get("auto_mode")).startsWith("DIFFERENTIAL");
        assertThat(value(c, "SELECT count(*) FROM vq_regions")).isEqualTo("1");
        c.rollback();
        c.setAutoCommit(true);
        assertThat(value(c, "SELECT count(*) FROM vq_regions")).isEqualTo("0");
    }

    @Test
    void inTheSelectListItIsOneRecordColumn() throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pgtrickle.validate_query('SELECT id FROM vq_orders') AS v")) {
            assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("v");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("(query,\"valid: 1 columns (id bigint)\",INFO)");
        }
    }
}
