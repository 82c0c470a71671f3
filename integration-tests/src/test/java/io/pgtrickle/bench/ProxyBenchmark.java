package io.pgtrickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The proxy against PgBouncer (session mode) and a direct connection, with pgbench: select-only and
 * TPC-B-like, -M simple/extended/prepared, 8 clients and 1, all targets interleaved in one run.
 * The proxy runs as users run it, from proxy/target/pgtrickle-proxy.jar in a JVM of its own: once
 * with its default transport (epoll on Linux) and once with io_uring.
 * Prints TPS ratios to direct, the latency each adds per round trip (1 client), and the CPU each
 * spends per relayed round trip. A benchmark, not a test: it asserts nothing.
 *
 * <p>Run: see docs/benchmarks.md. Arguments: [seconds per run, default 5] [rounds, default 3]
 * [JVM options of the second proxy, space-separated, default {@code -Dpgtrickle.proxy.transport=io_uring}]
 * [cells, default all: comma-separated {@code workload:mode:clients}, e.g. {@code select-only:simple:8}].
 */
public final class ProxyBenchmark {

    private record Target(String name, int port, CpuMeter cpu) {
    }

    @FunctionalInterface
    private interface CpuMeter {
        long nanos() throws IOException;
    }

    /** Median figures of one target in one cell. */
    private record Cell(double tps, double latencyMs, double cpuMicrosPerRoundTrip) {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String[] variant = (args.length > 2 ? args[2] : "-Dpgtrickle.proxy.transport=io_uring").trim().split("\\s+");
        String variantName = variantName(variant);
        List<String> cellsAsked = args.length > 3 ? List.of(args[3].split(",")) : List.of();
        Path work = Files.createTempDirectory("pgtrickle-bench"); // PgBouncer (user postgres) writes below it
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "200").start()) {
            int pgPort = pg.getPort();
            Pgbench.initialize(pgPort, "postgres", 10);
            try (ProxyProcess proxy = ProxyProcess.start(pgPort);
                    ProxyProcess second = ProxyProcess.start(pgPort, variant);
                    PgBouncer bouncer = PgBouncer.start(pgPort, freePort(), work.resolve("pgbouncer"))) {
                List<Target> targets = List.of(
                        new Target("direct", pgPort, null),
                        new Target("proxy", proxy.port, proxy::cpuNanos),
                        new Target(variantName, second.port, second::cpuNanos),
                        new Target("pgbouncer", bouncer.port, bouncer::cpuNanos));
                System.out.printf(Locale.ROOT, "scheduler groups: pgbench %s, proxy %s, %s %s, pgbouncer %s%n",
                        Sessions.autogroup(ProcessHandle.current().pid()), Sessions.autogroup(proxy.pid()),
                        variantName, Sessions.autogroup(second.pid()), Sessions.autogroup(bouncer.pid()));
                for (Target t : targets) { // warm-up of every path: JIT, caches, connections
                    for (String mode : List.of("simple", "extended", "prepared")) {
                        Pgbench.run(t.port(), "postgres", true, mode, 8, Math.max(2, seconds / 2));
                        Pgbench.run(t.port(), "postgres", false, mode, 8, Math.max(2, seconds / 2));
                    }
                }
                System.out.printf(Locale.ROOT, "pgbench, %d s per run, %d interleaved rounds, medians; "
                        + "ratio = TPS / direct TPS; +lat = added latency per round trip (µs); cpu = CPU per "
                        + "relayed round trip (µs)%n%n", seconds, rounds);
                StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-11s %-9s %3s | %9s",
                        "workload", "mode", "c", "direct"));
                for (Target t : targets.subList(1, targets.size())) {
                    header.append(String.format(Locale.ROOT, " | %9s %6s %7s %6s", t.name(), "ratio", "+lat", "cpu"));
                }
                System.out.println(header);
                for (boolean selectOnly : new boolean[] {true, false}) {
                    for (String mode : List.of("simple", "extended", "prepared")) {
                        for (int clients : new int[] {8, 1}) {
                            String cell = (selectOnly ? "select-only" : "tpc-b") + ":" + mode + ":" + clients;
                            if (!cellsAsked.isEmpty() && !cellsAsked.contains(cell)) {
                                continue;
                            }
                            Cell[] cells = measure(targets, selectOnly, mode, clients, seconds, rounds);
                            int trips = selectOnly ? 1 : 7;
                            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-11s %-9s %3d | %9.0f",
                                    selectOnly ? "select-only" : "tpc-b", mode, clients, cells[0].tps()));
                            for (int k = 1; k < cells.length; k++) {
                                line.append(" | ").append(columns(cells[k], cells[0], trips, clients));
                            }
                            System.out.println(line);
                        }
                    }
                }
            }
        }
    }

    /** A short column name for the second proxy: its transport, else its JVM options without dashes. */
    private static String variantName(String[] options) {
        String joined = String.join(" ", options);
        if (joined.equals("-Dpgtrickle.proxy.transport=io_uring")) {
            return "io_uring";
        }
        String name = joined.replaceAll("-XX:\\+?|-D|-", "");
        return name.length() > 9 ? name.substring(0, 9) : name;
    }

    private static String columns(Cell c, Cell direct, int trips, int clients) {
        String lat = clients == 1
                ? String.format(Locale.ROOT, "%7.1f", (c.latencyMs() - direct.latencyMs()) * 1000 / trips) : "      -";
        return String.format(Locale.ROOT, "%9.0f %5.2fx %s %6.1f", c.tps(), c.tps() / direct.tps(), lat,
                c.cpuMicrosPerRoundTrip());
    }

    private static Cell[] measure(List<Target> targets, boolean selectOnly, String mode, int clients, int seconds,
            int rounds) throws Exception {
        double[][] tps = new double[targets.size()][rounds];
        double[][] lat = new double[targets.size()][rounds];
        double[][] cpu = new double[targets.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < targets.size(); k++) {
                int i = (k + r) % targets.size(); // rotate the order each round
                Target t = targets.get(i);
                long before = t.cpu() == null ? 0 : t.cpu().nanos();
                Pgbench.Result res = Pgbench.run(t.port(), "postgres", selectOnly, mode, clients, seconds);
                long used = t.cpu() == null ? 0 : t.cpu().nanos() - before;
                tps[i][r] = res.tps();
                lat[i][r] = res.latencyMs();
                cpu[i][r] = res.transactions() == 0 ? 0
                        : used / 1000.0 / (res.transactions() * (selectOnly ? 1 : 7));
            }
        }
        List<Cell> out = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            out.add(new Cell(median(tps[i]), median(lat[i]), median(cpu[i])));
        }
        return out.toArray(new Cell[0]);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
