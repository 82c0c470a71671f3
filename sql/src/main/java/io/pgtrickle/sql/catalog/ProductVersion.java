package io.pgtrickle.sql.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The product version, from the build (Maven filters version.properties). */
public final class ProductVersion {
    private static final String VERSION = load();

    private ProductVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ProductVersion.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
