package io.pgtrickle.it.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ResourceLeakDetector;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the proxy tests: a proxy in front of the test class's own database, for the whole class.
 * Netty's leak detector tracks every buffer meanwhile (paranoid), and the class fails when one was
 * dropped without its release: a leak, which a long-running proxy cannot afford.
 */
@PgTest
abstract class ProxyTestBase {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static RunningProxy proxy;
    private static ResourceLeakDetector.Level leakLevel;

    @BeforeAll
    static void startProxy(TestDatabase db) throws Exception {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
        proxy = RunningProxy.start(db);
    }

    @AfterAll
    static void stopProxy() throws InterruptedException {
        proxy.close();
        // a dropped buffer is reported when the garbage collector has found it and a buffer is allocated
        for (int i = 0; i < 3 && LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(50);
            ByteBufAllocator.DEFAULT.buffer(16).release();
        }
        ResourceLeakDetector.setLevel(leakLevel);
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        assertEquals(List.of(), found, "buffers the proxy dropped without releasing them");
    }
}
