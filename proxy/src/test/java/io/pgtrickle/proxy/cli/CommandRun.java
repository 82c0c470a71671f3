package io.pgtrickle.proxy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** Runs {@link ProxyCommand} in this JVM with captured stdout/stderr, a fake relay and a test lifecycle. */
final class CommandRun {
    final FakeRelay relay = new FakeRelay();
    final TestLifecycle lifecycle = new TestLifecycle();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final ProxyCommand command;
    final CommandLine commandLine;

    CommandRun(Map<String, String> environment, Path home) {
        command = new ProxyCommand(environment, relay, lifecycle, home);
        commandLine = ProxyCommand.commandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
    }

    /** Runs to the end; for arguments that must fail or print help (a started command would block). */
    int execute(String... args) {
        return commandLine.execute(args);
    }

    /** Starts in the background; {@link #stop} ends it. */
    CompletableFuture<Integer> start(String... args) {
        return CompletableFuture.supplyAsync(() -> commandLine.execute(args));
    }

    /** Waits for the banner line on stdout. */
    String awaitBanner(CompletableFuture<Integer> running, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (out.toString().endsWith("\n")) {
                return out.toString();
            }
            if (running.isDone()) {
                throw new AssertionError("ended with " + running.get() + ": " + err);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no banner after " + seconds + "s: " + err);
    }

    int stop(CompletableFuture<Integer> running) throws Exception {
        lifecycle.stop.countDown();
        return running.get(60, TimeUnit.SECONDS);
    }
}
