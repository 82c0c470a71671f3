package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.StandaloneDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Stream tables created at random points of random DML (decision z of docs/architecture.md): each new
 * one may widen the buffers of its sources while changes are pending for the others, which read fewer
 * columns. After every refresh every stream table equals its defining query, and none was refreshed FULL
 * (a FULL stream table of the same query among them asks for no column at all). The queries are those of
 * {@link DifferentialPropertiesTest}; the seed is fixed.
 */
class CaptureWideningPropertiesTest {
    private static StandaloneDatabase db;
    private static Connection c;
    private final List<Integer> created = new ArrayList<>();

    @BeforeContainer
    static void start() throws SQLException {
        db = StandaloneDatabase.start("capture_widening_properties");
        c = db.database().connectPgtrickle();
        exec(c, "SELECT pgtrickle.create_stream_table('warmup', 'SELECT 1 AS one', '1m', 'FULL')", // installs the catalog
                "SELECT pgtrickle.drop_stream_table('warmup')");
    }

    @AfterContainer
    static void stop() throws SQLException {
        c.close();
        db.close();
    }

    @BeforeTry
    void freshTables() throws SQLException {
        created.clear();
        DifferentialPropertiesTest.freshSchema(c);
        assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).containsExactly("0");
        exec(c, "SELECT pgtrickle.create_stream_table('full_all', 'SELECT * FROM src', '1m', 'FULL')");
    }

    @Property(tries = 30, seed = "20261203")
    void streamTablesCreatedAmidChangesStayEqualToTheirQueries(@ForAll("programs") List<String> program)
            throws SQLException {
        for (String step : program) {
            if (step.equals("REFRESH")) {
                refreshAndCheck();
            } else if (step.startsWith("CREATE ")) {
                int k = Integer.parseInt(step.substring("CREATE ".length()));
                if (!created.contains(k)) {
                    exec(c, "SELECT pgtrickle.create_stream_table('st" + k + "', $q$"
                            + DifferentialPropertiesTest.QUERIES.get(k) + "$q$, '1m', 'DIFFERENTIAL')");
                    created.add(k);
                    Oracle.assertStreamTableMatches(c, "st" + k, DifferentialPropertiesTest.QUERIES.get(k));
                }
            } else {
                exec(c, step);
            }
        }
        refreshAndCheck();
    }

    private void refreshAndCheck() throws SQLException {
        exec(c, "SELECT pgtrickle.refresh_stream_table('full_all')");
        Oracle.assertStreamTableMatches(c, "full_all", "SELECT * FROM src");
        for (int k : created) {
            exec(c, "SELECT pgtrickle.refresh_stream_table('st" + k + "')");
            assertThat(rows(c, "SELECT action FROM pgtrickle.get_refresh_history('st" + k + "', 1)"))
                    .as("no FULL refresh where DIFFERENTIAL is expected").containsAnyOf("DIFFERENTIAL", "NO_DATA");
            Oracle.assertStreamTableMatches(c, "st" + k, DifferentialPropertiesTest.QUERIES.get(k));
        }
    }

    @Provide
    Arbitrary<List<String>> programs() {
        Arbitrary<String> create = Arbitraries.integers().between(0, DifferentialPropertiesTest.QUERIES.size() - 1)
                .map(k -> "CREATE " + k);
        return Arbitraries.frequencyOf(Tuple.of(10, DifferentialPropertiesTest.change()), Tuple.of(3, create),
                Tuple.of(2, Arbitraries.just("REFRESH"))).list().ofMinSize(4).ofMaxSize(30);
    }
}
