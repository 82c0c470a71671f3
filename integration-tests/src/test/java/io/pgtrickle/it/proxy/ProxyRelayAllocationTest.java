package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.pgtrickle.proxy.ProxyServer;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay allocates nothing in steady state: after a warm-up, thousands of relayed round trips
 * (simple and extended protocol) cost the proxy's event-loop threads (almost) no heap. Measured with
 * the JVM's per-thread allocation counter, so the figure is exact, not sampled. Netty's leak
 * detector, which allocates for the buffers it samples, is off while measuring, as it is when users
 * run the proxy.
 */
class ProxyRelayAllocationTest extends ProxyTestBase {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 10_000;
    /** Bytes per round trip allowed for rare events (a buffer pool growing, a timer); zero is the aim. */
    private static final double ALLOWED = 2.0;

    private ResourceLeakDetector.Level leakLevel;

    @BeforeEach
    void leakDetectorOff() {
        leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterEach
    void leakDetectorBack() {
        ResourceLeakDetector.setLevel(leakLevel);
    }

    @Test
    void simpleQueriesAreRelayedWithoutAllocating() throws SQLException {
        try (Connection c = DriverManager.getConnection(proxy.jdbcUrl() + "&preferQueryMode=simple");
                Statement s = c.createStatement()) {
            Runnable roundTrip = () -> {
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(bytesPerRoundTrip(roundTrip)).isLessThan(ALLOWED);
        }
    }

    @Test
    void extendedProtocolIsRelayedWithoutAllocating() throws SQLException {
        try (Connection c = DriverManager.getConnection(proxy.jdbcUrl() + "&prepareThreshold=1");
                PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
            int[] n = {0};
            Runnable roundTrip = () -> {
                try {
                    ps.setInt(1, n[0]++);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(bytesPerRoundTrip(roundTrip)).isLessThan(ALLOWED);
        }
    }

    private static double bytesPerRoundTrip(Runnable roundTrip) {
        for (int i = 0; i < WARM_UP; i++) {
            roundTrip.run();
        }
        long before = relayAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            roundTrip.run();
        }
        long used = relayAllocatedBytes() - before;
        double perTrip = (double) used / MEASURED;
        System.out.printf("relay threads allocated %d bytes in %d round trips (%.2f per round trip)%n", used,
                MEASURED, perTrip);
        return perTrip;
    }

    /** Heap allocated so far by every relay event-loop thread of this JVM. */
    private static long relayAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Thread> relay = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(ProxyServer.RELAY_THREADS)).toList();
        assertThat(relay).as("relay threads").isNotEmpty();
        long sum = 0;
        for (Thread t : relay) {
            sum += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
        }
        return sum;
    }
}
