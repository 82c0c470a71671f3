package io.pgtrickle.sql.catalog;

import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.session.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;

/**
 * Installs and upgrades the catalog (schemas pgtrickle and pgtrickle_changes) in place: numbered
 * migrations applied in order, each recorded in pgtrickle.pgt_schema_version. Idempotent, and safe
 * when several sessions try at once: whoever holds the advisory lock migrates, the others wait and
 * then find the work done.
 *
 * <p>Why two entry points: a backend caches "this relation does not exist" and only forgets it at
 * the start of a transaction or when it locks a relation, so a session that waited for another's
 * install inside one transaction could still believe the catalog missing. Outside a transaction
 * block we therefore wait on a session-level lock before BEGIN; inside the caller's block we only
 * install when nobody else is, and otherwise ask the caller to retry (40001).
 */
public final class CatalogInstaller {

    /** One numbered step of the catalog's history. Released migrations are never edited. */
    public record Migration(int version, String sql) {
    }

    /** The migrations this version of pgtrickle ships, from resources V001__*.sql, V002__*.sql, ... */
    public static final CatalogInstaller STANDARD = new CatalogInstaller(List.of(
            new Migration(1, load("V001__catalog.sql")),
            new Migration(2, load("V002__applied_own_changes.sql")),
            new Migration(3, load("V003__differential.sql")),
            new Migration(4, load("V004__capture_fixes.sql")),
            new Migration(5, load("V005__planned_settings.sql")),
            new Migration(6, load("V006__explain_st.sql")),
            new Migration(7, load("V007__planned_views.sql")),
            new Migration(8, load("V008__unlogged_buffers.sql")),
            new Migration(9, load("V009__scheduler.sql")),
            new Migration(10, load("V010__diamonds.sql")),
            new Migration(11, load("V011__heartbeat_running.sql"))));

    /** Advisory lock key: "pgtrickl" in ASCII. */
    private static final long LOCK_KEY = 0x7067747269636b6cL;

    private final List<Migration> migrations;

    /** @param migrations versions 1, 2, ... in order */
    public CatalogInstaller(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations must be numbered 1, 2, ... in order");
            }
        }
        this.migrations = List.copyOf(migrations);
    }

    public List<Migration> migrations() {
        return migrations;
    }

    public int latestVersion() {
        return migrations.size();
    }

    /**
     * The installed catalog version, 0 when there is none. Existence is read from pg_class with the
     * statement's snapshot (not the relation cache), so it is current even inside a transaction.
     */
    public static int installedVersion(Session session) throws SQLException {
        boolean present = session.queryOne("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'pgtrickle' AND c.relname = 'pgt_schema_version') AS present").getBoolean("present");
        if (!present) {
            return 0;
        }
        return Integer.parseInt(session.queryOne("SELECT coalesce(max(version), 0) AS v "
                + "FROM pgtrickle.pgt_schema_version").get("v"));
    }

    /**
     * {@link #installedVersion} in one statement, for a session outside a transaction block, where a failed
     * statement costs nothing: the version table missing (42P01) or its schema (3F000) means none.
     */
    static int installedVersionOutsideBlock(Session session) throws SQLException {
        try {
            return Integer.parseInt(session.queryOne("SELECT coalesce(max(version), 0) AS v "
                    + "FROM pgtrickle.pgt_schema_version").get("v"));
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return 0;
            }
            throw e;
        }
    }

    /** Outside a transaction block: installs or upgrades in a transaction of its own, waiting for others. */
    public void ensureAutonomously(Session session) throws SQLException {
        if (installedVersionOutsideBlock(session) >= latestVersion()) {
            return;
        }
        session.query("SELECT pg_catalog.pg_advisory_lock(?)", LOCK_KEY);
        try {
            session.script("BEGIN");
            try {
                migrate(session, installedVersion(session));
                session.script("COMMIT");
            } catch (SQLException | RuntimeException e) {
                session.script("ROLLBACK");
                throw e;
            }
        } finally {
            session.query("SELECT pg_catalog.pg_advisory_unlock(?)", LOCK_KEY);
        }
    }

    /** Inside the caller's transaction block: installs or upgrades as part of it (a rollback undoes it). */
    public void ensureInBlock(Session session) throws SQLException {
        int installed = installedVersion(session);
        if (installed >= latestVersion()) {
            return;
        }
        boolean locked = session.queryOne("SELECT pg_catalog.pg_try_advisory_xact_lock(?) AS locked", LOCK_KEY)
                .getBoolean("locked");
        if (!locked || installedVersion(session) != installed) {
            if (!locked) {
                session.query("SELECT pg_catalog.pg_advisory_xact_lock(?)", LOCK_KEY);
            }
            throw new PgTrickleException(SqlState.SERIALIZATION_FAILURE,
                    "the pgtrickle catalog was installed by another session during this transaction", null,
                    "Retry the transaction.");
        }
        migrate(session, installed);
    }

    private void migrate(Session session, int installed) throws SQLException {
        for (Migration m : migrations.subList(installed, migrations.size())) {
            session.script(m.sql());
            session.update("INSERT INTO pgtrickle.pgt_schema_version (version, product_version) VALUES (?, ?)",
                    m.version(), ProductVersion.get());
        }
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
