package io.pgtrickle.proxy.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgtrickle.proxy.UpstreamTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP health endpoint ({@code --health-listen}), for load balancers, orchestrators and monitors,
 * served by the JDK's own HTTP server on a thread of its own (never on the relay's event loops):
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process serves (liveness);</li>
 *   <li>{@code GET /health/ready} and {@code GET /health}: 200 when the proxy accepts clients and the
 *       PostgreSQL server accepts a TCP connection within a second; 503 while starting, while stopping
 *       or when the server is unreachable (readiness).</li>
 * </ul>
 * Each answer is a small JSON object that says why. The server probe sends nothing, so PostgreSQL logs
 * nothing for it.
 */
final class HealthEndpoint implements AutoCloseable {
    private static final int PROBE_TIMEOUT_MILLIS = 1000;

    private final HttpServer http;
    private final ExecutorService executor;

    private HealthEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /** Binds and serves; a taken address throws {@link java.net.BindException}. */
    static HealthEndpoint start(InetSocketAddress listen, Supplier<RunningProxy> relay, UpstreamTarget upstream)
            throws IOException {
        HttpServer http = HttpServer.create(listen, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pgtrickle-health");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/health", exchange -> answer(exchange, relay.get(), upstream));
        http.start();
        return new HealthEndpoint(http, executor);
    }

    /** Where it listens (the real port when 0 was asked for). */
    InetSocketAddress address() {
        return http.getAddress();
    }

    /** @param proxy the relay, or null while it is starting */
    private static void answer(HttpExchange exchange, RunningProxy proxy, UpstreamTarget upstream) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "{\"error\":\"use GET\"}");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/health/live" -> send(exchange, 200,
                        "{\"status\":\"live\",\"sessions\":" + (proxy == null ? 0 : proxy.sessions()) + "}");
                case "/health", "/health/ready" -> ready(exchange, proxy, upstream);
                default -> send(exchange, 404, "{\"error\":\"unknown path: use /health/live or /health/ready\"}");
            }
        }
    }

    private static void ready(HttpExchange exchange, RunningProxy proxy, UpstreamTarget upstream) throws IOException {
        boolean accepting = proxy != null && !proxy.draining();
        boolean reachable = accepting && reachable(upstream);
        String status = proxy == null ? "starting" : accepting ? (reachable ? "ready" : "unavailable") : "stopping";
        String body = String.format(Locale.ROOT,
                "{\"status\":\"%s\",\"accepting\":%b,\"upstream\":\"%s:%d\",\"upstreamReachable\":%b,\"sessions\":%d}",
                status, accepting, json(upstream.host()), upstream.port(), reachable, proxy == null ? 0 : proxy.sessions());
        send(exchange, accepting && reachable ? 200 : 503, body);
    }

    private static boolean reachable(UpstreamTarget upstream) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(upstream.host(), upstream.port()), PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
