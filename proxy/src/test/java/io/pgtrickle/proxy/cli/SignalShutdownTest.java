package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real process stopped with SIGTERM (what Ctrl-C's SIGINT does too): exit status 0, the embedded
 * server stopped cleanly, the data kept.
 */
@DisabledOnOs(OS.WINDOWS)
class SignalShutdownTest {
    private static final Pattern BANNER = Pattern.compile("psql -h 127\\.0\\.0\\.1 -p (\\d+) -U postgres postgres");

    @TempDir
    Path dir;

    @Test
    void sigtermStopsEverythingAndExitsWithZero() throws Exception {
        Path data = dir.resolve("data");
        Process first = start(data);
        String banner = readBanner(first);
        assertThat(BANNER.matcher(banner).matches()).as(banner).isTrue();
        // the embedded server's port is in the data directory's postmaster.pid (line 4)
        int port = Integer.parseInt(java.nio.file.Files.readAllLines(data.resolve("postmaster.pid")).get(3).strip());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE survived (x int)");
            s.execute("INSERT INTO survived VALUES (42)");
        }
        first.destroy(); // SIGTERM
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        assertThat(data.resolve("postmaster.pid")).doesNotExist();

        Process second = start(data);
        readBanner(second);
        port = Integer.parseInt(java.nio.file.Files.readAllLines(data.resolve("postmaster.pid")).get(3).strip());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT x FROM survived")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isZero();
    }

    private static Process start(Path data) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                FakeRelayMain.class.getName(), "--data-dir", data.toString(), "--listen", "127.0.0.1:0"))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** The first stdout line; stdout carries nothing else. */
    private static String readBanner(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null) {
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("no banner; exit " + process.exitValue());
        }
        return line;
    }
}
