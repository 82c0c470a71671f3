package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Precedence: command line &gt; environment &gt; --config file &gt; defaults. */
class ConfigSourcesTest {
    @TempDir
    Path dir;

    private ProxyCommand parse(Map<String, String> env, String... args) {
        CommandRun run = new CommandRun(env, dir);
        run.commandLine.parseArgs(args);
        return run.command;
    }

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("proxy.properties"), text);
    }

    @Test
    void defaultsWhenNothingIsSet() {
        ProxyCommand command = parse(Map.of());
        assertThat(command.listen).isEqualTo("127.0.0.1:6432");
        assertThat(command.upstream).isNull();
        assertThat(command.dataDir).isNull();
        assertThat(command.ephemeral).isFalse();
    }

    @Test
    void fileOverridesDefaults() throws Exception {
        Path config = file("listen=0.0.0.0:7000\ndata-dir=/srv/pg\nephemeral=false\n");
        ProxyCommand command = parse(Map.of(), "--config", config.toString());
        assertThat(command.listen).isEqualTo("0.0.0.0:7000");
        assertThat(command.dataDir).isEqualTo(Path.of("/srv/pg"));
    }

    @Test
    void environmentOverridesFile() throws Exception {
        Path config = file("listen=0.0.0.0:7000\nupstream=postgresql://file/db\n");
        ProxyCommand command = parse(Map.of("PGTRICKLE_LISTEN", "127.0.0.1:7100"), "--config", config.toString());
        assertThat(command.listen).isEqualTo("127.0.0.1:7100");
        assertThat(command.upstream).isEqualTo("postgresql://file/db");
    }

    @Test
    void commandLineOverridesEnvironmentAndFile() throws Exception {
        Path config = file("listen=0.0.0.0:7000\n");
        ProxyCommand command = parse(Map.of("PGTRICKLE_LISTEN", "127.0.0.1:7100"),
                "--config", config.toString(), "--listen", "127.0.0.1:7200");
        assertThat(command.listen).isEqualTo("127.0.0.1:7200");
    }

    @Test
    void configFileFromTheEnvironment() throws Exception {
        Path config = file("upstream=postgresql://filehost/db\n");
        ProxyCommand command = parse(Map.of("PGTRICKLE_CONFIG", config.toString()));
        assertThat(command.upstream).isEqualTo("postgresql://filehost/db");
    }

    @Test
    void everyOptionHasItsVariable() {
        ProxyCommand command = parse(Map.of("PGTRICKLE_UPSTREAM", "postgresql://h/db",
                "PGTRICKLE_UPSTREAM_HOST", "h2", "PGTRICKLE_UPSTREAM_PORT", "5440",
                "PGTRICKLE_UPSTREAM_SSLMODE", "require", "PGTRICKLE_UPSTREAM_SSLROOTCERT", "/ca.pem",
                "PGTRICKLE_DATA_DIR", "/d", "PGTRICKLE_EPHEMERAL", "yes",
                "PGTRICKLE_TLS_CERT", "/c.pem", "PGTRICKLE_TLS_KEY", "/k.pem"));
        assertThat(command.upstream).isEqualTo("postgresql://h/db");
        assertThat(command.upstreamHost).isEqualTo("h2");
        assertThat(command.upstreamPort).isEqualTo(5440);
        assertThat(command.upstreamSslMode).isEqualTo("require");
        assertThat(command.upstreamSslRootCert).isEqualTo(Path.of("/ca.pem"));
        assertThat(command.dataDir).isEqualTo(Path.of("/d"));
        assertThat(command.ephemeral).isTrue();
        assertThat(command.tlsCert).isEqualTo(Path.of("/c.pem"));
        assertThat(command.tlsKey).isEqualTo(Path.of("/k.pem"));
    }

    @Test
    void ephemeralFlagOnTheCommandLineBeatsFalseInTheEnvironment() {
        assertThat(parse(Map.of("PGTRICKLE_EPHEMERAL", "0"), "--ephemeral").ephemeral).isTrue();
        assertThat(parse(Map.of("PGTRICKLE_EPHEMERAL", "0")).ephemeral).isFalse();
    }
}
