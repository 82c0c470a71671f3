package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.proxy.cli.Lifecycle;
import io.pgtrickle.proxy.cli.ProxyCommand;
import io.pgtrickle.proxy.cli.ProxyLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The proxy's real command ({@link ProxyCommand}) run in this JVM with the given arguments, environment
 * and home directory, as {@code java -jar pgtrickle-proxy.jar} runs it; {@link #close} is its stop signal.
 */
public final class InProcessProxy implements Lifecycle, AutoCloseable {
    private static final Pattern PORT = Pattern.compile("-p (\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final StringWriter out = new StringWriter();
    private CompletableFuture<Integer> exit;

    private InProcessProxy() {
    }

    /** Starts the command; it runs until {@link #close}. */
    public static InProcessProxy start(Path home, Map<String, String> environment, String... args) {
        InProcessProxy run = new InProcessProxy();
        CommandLine cl = ProxyCommand.commandLine(new ProxyCommand(environment, ProxyLauncher.netty(), run, home));
        cl.setOut(new PrintWriter(run.out, true));
        run.exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
        return run;
    }

    @Override
    public void registerCleanup(Runnable cleanup) {
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    /** The first line it printed, once printed (the banner). */
    public String banner() throws Exception {
        Poll.until(WAIT, "the banner", () -> out.toString().endsWith("\n") || exit.isDone());
        return out.toString();
    }

    /** The port of the psql line it printed. */
    public int port() throws Exception {
        Matcher m = PORT.matcher(banner());
        assertThat(m.find()).as("banner " + out).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Stops it; its exit status. */
    public int stop() throws Exception {
        stop.countDown();
        return exit.get();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
