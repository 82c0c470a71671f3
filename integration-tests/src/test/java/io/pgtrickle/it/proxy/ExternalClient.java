package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real client program (psql, pgbench, python3, node) run against the proxy. Where CI asks for the
 * clients (environment PGTRICKLE_REQUIRE_CLIENTS=1, set by .ci/run, which installs them), a missing
 * one fails the test; elsewhere (a machine with only a JDK) such a test is skipped with the reason.
 */
final class ExternalClient {
    /** What a run printed, and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        Result succeeded() {
            assertThat(exitCode).as("exit code; stderr: %s; stdout: %s", stderr, stdout).isZero();
            return this;
        }
    }

    private ExternalClient() {
    }

    /** The program's path; fails or skips (see above) when it is not installed. */
    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String message = program + " is not installed (on Debian: see .ci/run for the packages)";
        if ("1".equals(System.getenv("PGTRICKLE_REQUIRE_CLIENTS"))) {
            throw new AssertionError(message);
        }
        assumeTrue(false, message);
        return null;
    }

    static Result run(List<String> command, Map<String, String> env, String stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("client", ".out");
        Path err = Files.createTempFile("client", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish within " + timeoutSeconds + " s: "
                    + Files.readString(out) + Files.readString(err));
        }
        try {
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
