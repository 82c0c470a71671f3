package io.pgtrickle.it.proxy;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the proxy tests: a proxy in front of the test class's own database, for the whole class. */
@PgTest
abstract class ProxyTestBase {
    static RunningProxy proxy;

    @BeforeAll
    static void startProxy(TestDatabase db) throws Exception {
        proxy = RunningProxy.start(db);
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }
}
