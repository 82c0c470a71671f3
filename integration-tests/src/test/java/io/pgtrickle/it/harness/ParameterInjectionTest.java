package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The constructor, lifecycle methods and tests of one class all get the same database. */
@PgTest
class ParameterInjectionTest {

    private static String fromBeforeAll;
    private final TestDatabase fromConstructor;
    private TestDatabase fromBeforeEach;

    ParameterInjectionTest(TestDatabase db) {
        this.fromConstructor = db;
    }

    @BeforeAll
    static void beforeAll(TestDatabase db) {
        fromBeforeAll = db.name();
    }

    @BeforeEach
    void beforeEach(TestDatabase db) {
        fromBeforeEach = db;
    }

    @Test
    void allInjectionPointsSeeTheSameDatabase(TestDatabase db) {
        assertThat(fromConstructor.name()).isEqualTo(fromBeforeAll).isEqualTo(db.name());
        assertThat(fromBeforeEach).isSameAs(db);
    }

    @Test
    void urlsDescribeTheDatabase(TestDatabase db) {
        String hostPortDb = db.host() + ":" + db.port() + "/" + db.name() + "?user=" + db.user();
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://" + hostPortDb);
        assertThat(db.pgtrickleUrl()).isEqualTo("jdbc:pgtrickle:postgresql://" + hostPortDb);
    }
}
