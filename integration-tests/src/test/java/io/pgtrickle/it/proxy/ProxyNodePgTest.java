package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgtrickle.it.harness.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * node-postgres through the proxy (clients/node_pg_client.js): the extended protocol for every
 * parameterised query, named statements, queries queued back to back, a simple-protocol multi-statement
 * string, LISTEN/NOTIFY; and a stream table created, read and dropped with parameterised calls.
 *
 * <p>The {@code pg} package is looked for in integration-tests/target/node (or $PGTRICKLE_NODE_MODULES);
 * when it is missing, the test installs it there with npm once.
 */
class ProxyNodePgTest extends ProxyTestBase {
    private static Path nodeModules;

    /** node_modules holding {@code pg}; installs it into target/node when missing. */
    static synchronized Path nodeModules() throws Exception {
        if (nodeModules != null) {
            return nodeModules;
        }
        String configured = System.getenv("PGTRICKLE_NODE_MODULES");
        Path modules = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("basedir", ".")).resolve("target/node/node_modules").toAbsolutePath();
        if (!Files.isDirectory(modules.resolve("pg"))) {
            String npm = ExternalClient.require("npm");
            Files.createDirectories(modules.getParent());
            ExternalClient.Result r = ExternalClient.run(List.of(npm, "install", "--no-audit", "--no-fund",
                    "--prefix", modules.getParent().toString(), "pg@8"), Map.of(), null, 300);
            if (r.exitCode() != 0 || !Files.isDirectory(modules.resolve("pg"))) {
                String message = "could not install node's pg package: " + r.stderr();
                if ("1".equals(System.getenv("PGTRICKLE_REQUIRE_CLIENTS"))) {
                    throw new AssertionError(message);
                }
                assumeTrue(false, message);
            }
        }
        nodeModules = modules;
        return modules;
    }

    private static ExternalClient.Result node(String mode, TestDatabase db) throws Exception {
        String node = ExternalClient.require("node");
        Path modules = nodeModules();
        return ExternalClient.run(List.of(node, ProxyPsycopg2Test.script("node_pg_client.js").toString(), mode,
                "127.0.0.1", String.valueOf(proxy.port()), db.name(), db.user()),
                Map.of("NODE_PATH", modules.toString()), null, 120);
    }

    @Test
    void extendedProtocolPassThrough(TestDatabase db) throws Exception {
        ExternalClient.Result r = node("passthrough", db).succeeded();
        assertThat(r.stdout().lines().toList()).containsExactly("ok parameterised", "ok named statement",
                "ok pipelined", "ok multi-statement", "ok error and recovery", "ok notify", "done");
    }

    @Test
    void createReadAndDropAStreamTableWithParameterisedCalls(TestDatabase db) throws Exception {
        ExternalClient.Result r = node("calls", db).succeeded();
        assertThat(r.stdout().lines().toList()).containsExactly("ok create_stream_table", "ok read",
                "ok drop_stream_table", "done");
    }
}
