package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgtrickle.it.harness.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * psycopg2 through the proxy (clients/psycopg2_client.py): simple protocol with parameters interpolated
 * by the client, so a parameterised pgtrickle call is one Query inside psycopg2's own transaction; plus
 * COPY both ways, a named (server-side) cursor, a notice, an error and rollback.
 */
class ProxyPsycopg2Test extends ProxyTestBase {
    /**
     * A python3 that can import psycopg2. Debian's python3-psycopg2 goes with /usr/bin/python3, which
     * may not be the first python3 on the PATH (pyenv and the like), so that one is tried first.
     */
    static String pythonWithPsycopg2() throws Exception {
        List<String> candidates = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            candidates.add("/usr/bin/python3");
        }
        candidates.add(ExternalClient.require("python3"));
        for (String python : candidates) {
            ExternalClient.Result r = ExternalClient.run(List.of(python, "-c", "import psycopg2"), Map.of(), null, 30);
            if (r.exitCode() == 0) {
                return python;
            }
        }
        String message = "psycopg2 is not installed for " + candidates + " (on Debian: apt-get install python3-psycopg2)";
        if ("1".equals(System.getenv("PGTRICKLE_REQUIRE_CLIENTS"))) {
            throw new AssertionError(message);
        }
        assumeTrue(false, message);
        return null;
    }

    static Path script(String name) throws Exception {
        return Path.of(ProxyPsycopg2Test.class.getResource("/clients/" + name).toURI());
    }

    @Test
    void createReadAndDropAStreamTableWithParameterisedCalls(TestDatabase db) throws Exception {
        String python = pythonWithPsycopg2();
        ExternalClient.Result r = ExternalClient.run(List.of(python, script("psycopg2_client.py").toString(),
                "127.0.0.1", String.valueOf(proxy.port()), db.name(), db.user()), Map.of(), null, 120).succeeded();
        assertThat(r.stdout().lines().toList()).containsExactly("ok source", "ok create_stream_table",
                "ok read 101 rows", "ok copy", "ok named cursor", "ok notice and error", "ok drop_stream_table", "done");
    }
}
