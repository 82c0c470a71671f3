package io.pgtrickle.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** PgBouncer (Debian package pgbouncer) in session mode in front of a server, for comparison. */
final class PgBouncer implements AutoCloseable {
    private final Process process;
    final int port;

    private PgBouncer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PgBouncer start(int serverPort, int listenPort, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path users = dir.resolve("users.txt");
        Files.writeString(users, "\"postgres\" \"\"\n");
        Path ini = dir.resolve("pgbouncer.ini");
        Files.writeString(ini, """
                [databases]
                * = host=127.0.0.1 port=%d
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                pool_mode = session
                max_client_conn = 200
                default_pool_size = 50
                logfile = %s
                pidfile = %s
                """.formatted(serverPort, listenPort, users, dir.resolve("pgbouncer.log"), dir.resolve("pgbouncer.pid")));
        new ProcessBuilder("chown", "-R", "postgres", dir.toString()).inheritIO().start().waitFor();
        List<String> command = new java.util.ArrayList<>(Sessions.ownSession());
        command.addAll(List.of("pgbouncer", "-u", "postgres", ini.toString()));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", listenPort), 200);
                return new PgBouncer(p, listenPort);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroy();
        throw new IllegalStateException("pgbouncer did not start: " + Files.readString(dir.resolve("stdout.txt")));
    }

    long pid() {
        return process.pid();
    }

    /** CPU time (user + system) the process has used, in nanoseconds. */
    long cpuNanos() throws IOException {
        return ProcCpu.nanos(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
    }
}
