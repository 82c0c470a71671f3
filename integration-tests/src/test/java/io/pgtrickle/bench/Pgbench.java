package io.pgtrickle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs pgbench and reads its summary (tps and average latency). */
final class Pgbench {
    /** One run's figures. */
    record Result(double tps, double latencyMs, long transactions) {
    }

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
    private static final Pattern COUNT = Pattern.compile("number of transactions actually processed: ([0-9]+)");

    private Pgbench() {
    }

    static void initialize(int port, String database, int scale) throws IOException, InterruptedException {
        run(List.of("pgbench", "-i", "-q", "-s", String.valueOf(scale), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", "postgres", database));
    }

    static Result run(int port, String database, boolean selectOnly, String mode, int clients, int seconds)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-n", "-M", mode, "-c", String.valueOf(clients),
                "-j", String.valueOf(Math.min(clients, 2)), "-T", String.valueOf(seconds), "-h", "127.0.0.1", "-p",
                String.valueOf(port), "-U", "postgres"));
        if (selectOnly) {
            cmd.add("-S");
        }
        cmd.add(database);
        String out = run(cmd);
        return new Result(number(TPS, out), number(LATENCY, out), (long) number(COUNT, out));
    }

    private static double number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected pgbench output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }
}
