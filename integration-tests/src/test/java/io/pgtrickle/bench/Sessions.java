package io.pgtrickle.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts a server process the way a service manager does: in a session of its own. This matters for
 * the comparison: with the kernel's autogroup scheduling (on by default in most distributions'
 * kernels), CPU is shared fairly between sessions first, so a proxy left in the benchmark's session
 * would compete with pgbench for one share while PostgreSQL (pg_ctl starts it in its own session) has
 * another. Every middleman gets the same treatment: its own session, as under systemd.
 */
final class Sessions {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private Sessions() {
    }

    /** The command prefix that runs a program in a new session ({@code setsid}), or nothing where there is none. */
    static List<String> ownSession() {
        return Files.isExecutable(SETSID) ? List.of(SETSID.toString()) : List.of();
    }

    /** The scheduler's autogroup of a process, as /proc shows it (or "-" where there is none). */
    static String autogroup(long pid) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(pid), "autogroup")).trim();
        } catch (java.io.IOException e) {
            return "-";
        }
    }
}
