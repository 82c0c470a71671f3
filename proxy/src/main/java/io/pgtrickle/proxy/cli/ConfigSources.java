package io.pgtrickle.proxy.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The settings not given on the command line, as picocli's default provider: an option
 * {@code --some-name} is read from the environment variable {@code PGTRICKLE_SOME_NAME}, then from key
 * {@code some-name} of the properties file named by {@code --config} (or {@code PGTRICKLE_CONFIG}).
 * picocli asks only for options missing from the command line and falls back to the option's own
 * default, so the precedence is command line &gt; environment &gt; file &gt; defaults.
 *
 * <p>Problems with the file are kept until {@link #validate} so the command reports them as one line.
 */
final class ConfigSources implements IDefaultValueProvider {
    static final String ENV_PREFIX = "PGTRICKLE_";
    static final String CONFIG_KEY = "config";

    private final Map<String, String> environment;
    private final Supplier<Path> configOption;
    private Path loadedFrom;
    private Properties file;
    private ConfigException problem;

    /**
     * @param environment the process environment (tests pass their own)
     * @param configOption the {@code --config} value from the command line, or null
     */
    ConfigSources(Map<String, String> environment, Supplier<Path> configOption) {
        this.environment = environment;
        this.configOption = configOption;
    }

    /** The environment variable of an option key, e.g. {@code data-dir} → {@code PGTRICKLE_DATA_DIR}. */
    static String environmentVariable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The key of an option, its longest name without dashes, e.g. {@code --data-dir} → {@code data-dir}. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
            return null;
        }
        String key = key(option);
        String value = environment.get(environmentVariable(key));
        if (value == null && !CONFIG_KEY.equals(key)) {
            value = file().getProperty(key);
        }
        if (value != null && (option.type() == boolean.class || option.type() == Boolean.class)) {
            value = bool(value.trim());
        }
        return value == null ? null : value.trim();
    }

    /** Where a value not on the command line came from, for messages: the variable or the file key. */
    String origin(String key) {
        if (environment.get(environmentVariable(key)) != null) {
            return environmentVariable(key);
        }
        if (file().getProperty(key) != null) {
            return "'" + key + "' in " + loadedFrom;
        }
        return "--" + key;
    }

    /**
     * Fails when the file could not be read or has keys that are no option.
     *
     * @param knownKeys the option keys a file may set
     */
    void validate(Set<String> knownKeys) throws ConfigException {
        Properties properties = file();
        if (problem != null) {
            throw problem;
        }
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        unknown.removeAll(knownKeys);
        unknown.remove(CONFIG_KEY);
        if (!unknown.isEmpty()) {
            Set<String> known = new TreeSet<>(knownKeys);
            known.remove(CONFIG_KEY);
            throw new ConfigException("unknown key " + String.join(", ", unknown) + " in " + loadedFrom
                    + "; known keys: " + String.join(", ", known));
        }
    }

    private Properties file() {
        if (file != null) {
            return file;
        }
        file = new Properties();
        Path path = configOption.get();
        String label = "--config";
        if (path == null && environment.get(environmentVariable(CONFIG_KEY)) != null) {
            path = Path.of(environment.get(environmentVariable(CONFIG_KEY)));
            label = environmentVariable(CONFIG_KEY);
        }
        if (path == null) {
            return file;
        }
        loadedFrom = path;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            file.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            problem = new ConfigException("cannot read " + label + " " + path + " (" + e
                    + "); give a readable properties file");
        }
        return file;
    }

    private static String bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "on", "true" -> "true";
            case "0", "no", "off", "false", "" -> "false";
            default -> value; // picocli reports it
        };
    }
}
