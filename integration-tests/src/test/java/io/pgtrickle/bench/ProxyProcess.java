package io.pgtrickle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** pgtrickle-proxy started from its jar in front of a server, as users start it. */
final class ProxyProcess implements AutoCloseable {
    private static final Pattern BANNER_PORT = Pattern.compile("-p (\\d+)");

    private final Process process;
    final int port;

    private ProxyProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** @param jvmOptions options for the proxy's JVM, e.g. {@code -Dpgtrickle.proxy.transport=io_uring} */
    static ProxyProcess start(int serverPort, String... jvmOptions) throws IOException {
        Path jar = jar();
        List<String> command = new java.util.ArrayList<>(Sessions.ownSession());
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString(), "--listen", "127.0.0.1:0", "--no-scheduler",
                "--upstream", "postgresql://postgres@127.0.0.1:" + serverPort + "/postgres?sslmode=disable"));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String banner = out.readLine(); // the one line to paste, with the real port
        Matcher m = banner == null ? null : BANNER_PORT.matcher(banner);
        if (m == null || !m.find()) {
            p.destroy();
            throw new IllegalStateException("pgtrickle-proxy did not start: " + banner);
        }
        return new ProxyProcess(p, Integer.parseInt(m.group(1)));
    }

    private static Path jar() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("proxy/target/pgtrickle-proxy.jar");
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("proxy/target/pgtrickle-proxy.jar not found: build it first (./mvnw -DskipTests install)");
    }

    long pid() {
        return process.pid();
    }

    long cpuNanos() throws IOException {
        return ProcCpu.nanos(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
    }
}
