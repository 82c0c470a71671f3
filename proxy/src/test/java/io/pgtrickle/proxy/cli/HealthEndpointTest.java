package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.proxy.UpstreamTarget;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health endpoint over real HTTP, with a real listening socket as the upstream (readiness is a TCP
 * connect to it): ready while it accepts, unavailable when it is gone, stopping while the relay drains.
 */
class HealthEndpointTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerSocket upstream;
    private volatile boolean draining;
    private volatile boolean starting;
    private HealthEndpoint health;

    @BeforeEach
    void start() throws Exception {
        upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        RunningProxy relay = new RunningProxy() {
            @Override
            public InetSocketAddress localAddress() {
                return new InetSocketAddress("127.0.0.1", 6432);
            }

            @Override
            public int sessions() {
                return 3;
            }

            @Override
            public boolean draining() {
                return draining;
            }

            @Override
            public void close() {
            }
        };
        health = HealthEndpoint.start(new InetSocketAddress("127.0.0.1", 0), () -> starting ? null : relay,
                new UpstreamTarget("127.0.0.1", upstream.getLocalPort(), UpstreamTarget.SslMode.DISABLE));
    }

    @AfterEach
    void stop() throws Exception {
        health.close();
        upstream.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + health.address().getPort() + path);
    }

    @Test
    void readyWhileTheServerAcceptsConnections() throws Exception {
        for (String path : new String[] {"/health", "/health/ready"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.body()).contains("\"status\":\"ready\"").contains("\"upstreamReachable\":true")
                    .contains("\"sessions\":3").contains("\"upstream\":\"127.0.0.1:" + upstream.getLocalPort() + "\"");
        }
    }

    @Test
    void unavailableWhenTheServerIsUnreachableButStillLive() throws Exception {
        upstream.close();
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"unavailable\"").contains("\"upstreamReachable\":false");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void stoppingWhileTheRelayDrains() throws Exception {
        draining = true;
        HttpResponse<String> ready = get("/health");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"stopping\"").contains("\"accepting\":false");
        assertThat(get("/health/live").body()).contains("\"status\":\"live\"");
    }

    @Test
    void unavailableWhileTheRelayStarts() throws Exception {
        starting = true;
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"starting\"");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void headAnswersWithoutABodyOtherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> head = send(HttpRequest.newBuilder(uri("/health")).method("HEAD",
                HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(get("/health/other").statusCode()).isEqualTo(404);
    }
}
