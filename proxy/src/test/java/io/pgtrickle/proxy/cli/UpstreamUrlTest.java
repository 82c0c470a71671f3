package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamUrlTest {

    private static UpstreamUrl parse(String uri) throws ConfigException {
        return UpstreamUrl.parse(uri, "--upstream");
    }

    @Test
    void fullUrl() throws Exception {
        UpstreamUrl url = parse("postgresql://alice@db.example.com:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem");
        assertThat(url).isEqualTo(new UpstreamUrl("db.example.com", 6543, "alice", "shop", SslMode.VERIFY_FULL,
                Path.of("/etc/ca.pem")));
        assertThat(url.target()).isEqualTo(new UpstreamTarget("db.example.com", 6543, SslMode.VERIFY_FULL));
    }

    @Test
    void defaults() throws Exception {
        assertThat(parse("postgres://db.example.com"))
                .isEqualTo(new UpstreamUrl("db.example.com", 5432, null, null, SslMode.PREFER, null));
        assertThat(parse("postgresql://")).isEqualTo(new UpstreamUrl("localhost", 5432, null, null, SslMode.PREFER, null));
        assertThat(parse("postgresql:///shop").database()).isEqualTo("shop");
    }

    @Test
    void passwordIsIgnoredAndPercentEncodingDecoded() throws Exception {
        UpstreamUrl url = parse("postgresql://us%40er:s3cr%2Ft@h:1/my%20db?application_name=x");
        assertThat(url.user()).isEqualTo("us@er");
        assertThat(url.database()).isEqualTo("my db");
        assertThat(url.toString()).doesNotContain("s3cr");
    }

    @Test
    void ipv6AndQueryHostPort() throws Exception {
        assertThat(parse("postgresql://[::1]:5433/db").target()).isEqualTo(new UpstreamTarget("::1", 5433, SslMode.PREFER));
        assertThat(parse("postgresql:///db?host=h2&port=7000&sslmode=disable").target())
                .isEqualTo(new UpstreamTarget("h2", 7000, SslMode.DISABLE));
        assertThat(parse("postgresql://my_db_container/x").host()).isEqualTo("my_db_container");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://h/db", "h:5432", "postgresql://h:99999/db", "postgresql://h:abc/db",
        "postgresql://h1,h2/db", "postgresql://[::1/db", "postgresql://h/db?sslmode=sometimes"})
    void badUrls(String uri) {
        assertThatThrownBy(() -> parse(uri)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--upstream").hasMessageNotContaining("\n");
    }

    @Test
    void errorsDoNotShowThePassword() {
        assertThatThrownBy(() -> parse("postgresql://bob:hunter2@h:x/db"))
                .hasMessageNotContaining("hunter2").hasMessageContaining("bob:***@");
    }

    @Test
    void sslModes() throws Exception {
        assertThat(UpstreamUrl.sslMode("verify-ca", "x")).isEqualTo(SslMode.VERIFY_CA);
        assertThat(UpstreamUrl.sslMode("REQUIRE", "x")).isEqualTo(SslMode.REQUIRE);
        assertThatThrownBy(() -> UpstreamUrl.sslMode("on", "--upstream-sslmode"))
                .hasMessageContaining("verify-full");
    }
}
