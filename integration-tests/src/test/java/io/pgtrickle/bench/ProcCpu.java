package io.pgtrickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from /proc (Linux). */
final class ProcCpu {
    /** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
    private static final long TICKS = 100;

    private ProcCpu() {
    }

    static long nanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        return ticks * 1_000_000_000L / TICKS;
    }
}
