package io.pgtrickle.sql.catalog;

import io.pgtrickle.sql.session.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;

/**
 * Installs and upgrades the catalog (schemas pgtrickle and pgtrickle_changes) in place: numbered
 * migrations V001, V002, ... applied in order, each recorded in pgtrickle.pgt_schema_version.
 * Idempotent, and safe when several sessions try at once: the work happens under a transaction-scoped
 * advisory lock and the version is checked again after taking it. Must run inside a transaction.
 */
public final class CatalogInstaller {
    /** The migrations, in order; index + 1 is the version. */
    static final List<String> MIGRATIONS = List.of("V001__catalog.sql");

    public static final int LATEST_VERSION = MIGRATIONS.size();

    /** Advisory lock key: "pgtrickle" in ASCII, the first 8 bytes. */
    private static final long LOCK_KEY = 0x7067747269636b6cL;

    private CatalogInstaller() {
    }

    /** The installed catalog version, 0 when there is none. Never fails on a database without it. */
    public static int installedVersion(Session session) throws SQLException {
        if (session.queryOne("SELECT to_regclass('pgtrickle.pgt_schema_version') IS NOT NULL AS present")
                .getBoolean("present")) {
            return Integer.parseInt(session.queryOne("SELECT coalesce(max(version), 0) AS v "
                    + "FROM pgtrickle.pgt_schema_version").get("v"));
        }
        return 0;
    }

    /**
     * Brings the catalog to {@link #LATEST_VERSION}. Cheap when it is current (one query).
     * Returns true when it changed anything.
     */
    public static boolean ensure(Session session) throws SQLException {
        if (installedVersion(session) >= LATEST_VERSION) {
            return false;
        }
        session.query("SELECT pg_advisory_xact_lock(?)", LOCK_KEY);
        int installed = installedVersion(session);
        for (int version = installed + 1; version <= LATEST_VERSION; version++) {
            session.script(load(MIGRATIONS.get(version - 1)));
            session.update("INSERT INTO pgtrickle.pgt_schema_version (version, product_version) VALUES (?, ?)",
                    version, ProductVersion.get());
        }
        return installed < LATEST_VERSION;
    }

    private static String load(String resource) {
        try (InputStream in = CatalogInstaller.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing catalog migration " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
