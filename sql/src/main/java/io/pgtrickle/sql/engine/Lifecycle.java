package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.planner.Planner;
import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.maintain.MaintenancePlan;
import io.pgtrickle.planner.tree.Aggregate;
import io.pgtrickle.planner.tree.Project;
import io.pgtrickle.planner.tree.TreeBuilder;
import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.catalog.StreamTable;
import io.pgtrickle.sql.catalog.StreamTableStore;
import io.pgtrickle.sql.command.AlterStreamTable;
import io.pgtrickle.sql.command.CreateStreamTable;
import io.pgtrickle.sql.command.DropStreamTable;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.command.ResumeStreamTable;
import io.pgtrickle.sql.command.Schedule;
import io.pgtrickle.sql.command.Status;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.lex.CalciteMask;
import io.pgtrickle.sql.lex.Casts;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The life cycle of stream tables: create (and its if-not-exists and or-replace forms), alter,
 * drop, refresh and resume. Runs inside the transaction or savepoint the {@link Engine} opened, so
 * any error undoes everything the call did.
 */
final class Lifecycle {
    private final Session session;
    private final List<Notice> notices;
    /** Whether the last {@link #settle} changed the storage table's hidden columns or identity index. */
    private boolean storageChanged;
    /** The stream table whose manual refresh failed during this call, or null. */
    private Long failedRefresh;
    /** Whether the last {@link #capture} installed or widened the capture of a source. */
    private boolean captureChanged;

    Lifecycle(Session session, List<Notice> notices) {
        this.session = session;
        this.notices = notices;
    }

    void create(CreateStreamTable c) throws SQLException {
        rejectUnavailableMode(c.refreshMode());
        String schema = c.name().schema() != null ? c.name().schema() : currentSchema();
        List<Row> found = session.query("SELECT pgt_id FROM pgtrickle.pgt_stream_tables "
                + "WHERE pgt_schema = ? AND pgt_name = ?", schema, c.name().name());
        Optional<StreamTable> existing = found.isEmpty() ? Optional.empty()
                : Optional.of(StreamTableStore.byId(session, found.get(0).getLong("pgt_id")));
        String display = Identifiers.quoteIfNeeded(schema) + "." + Identifiers.quoteIfNeeded(c.name().name());
        if (existing.isPresent()) {
            switch (c.onExisting()) {
                case ERROR -> throw new PgTrickleException(SqlState.DUPLICATE_TABLE,
                        "stream table " + display + " already exists", null,
                        "Use pgtrickle.create_or_replace_stream_table() to change it, or drop it first.");
                case SKIP -> notices.add(Notice.notice(SqlState.DUPLICATE_TABLE.code(),
                        "stream table " + display + " already exists, skipping"));
                case REPLACE -> replace(existing.get(), c);
            }
            return;
        }
        String relation = quote(schema) + "." + quote(c.name().name());
        if (!session.query("SELECT 1 FROM pg_catalog.pg_class WHERE oid = to_regclass(?)", relation).isEmpty()) {
            throw new PgTrickleException(SqlState.DUPLICATE_TABLE,
                    "relation \"" + c.name().name() + "\" already exists", "It is not a stream table.", null);
        }
        QueryProbe.Analysis analysis = QueryProbe.analyze(session, c.query());
        ModeChoice mode = chooseMode(c.refreshMode(), display, c.query(), analysis, schema, c.name().name());
        long relid = createStorage(relation, analysis.columns());
        mode = capture(mode, c.refreshMode(), display, analysis.sources());
        mode = settle(mode, c.refreshMode(), display, relation, relid);
        long id = session.queryOne("INSERT INTO pgtrickle.pgt_stream_tables (pgt_relid, pgt_schema, pgt_name, "
                + "defining_query, original_query, schedule, freshness_bound, refresh_mode, effective_refresh_mode, "
                + "refresh_mode_reason, diamond_consistency, diamond_schedule_policy, cdc_mode, append_only) "
                + "VALUES (?::oid::regclass, ?, ?, ?, ?, ?, ?::bigint * interval '1 second', ?, ?, ?, ?, ?, ?, ?) RETURNING pgt_id",
                relid, schema, c.name().name(), analysis.canonicalQuery(), c.query(), c.schedule().text(),
                freshnessSeconds(c.schedule()), c.refreshMode().name(), mode.effective().name(), mode.reason(),
                c.diamondConsistency(), c.diamondSchedulePolicy(), c.cdcMode(), c.appendOnly()).getLong("pgt_id");
        storeMaintenance(id, mode);
        StreamTableStore.saveDependencies(session, id, analysis.sources());
        if (c.initialize()) {
            Refresher.refresh(session, StreamTableStore.byId(session, id), Refresher.Initiator.INITIAL);
        }
        afterCapture(id, c.initialize());
    }

    /** create_or_replace on an existing stream table: settings in place, a new query migrates it. */
    private void replace(StreamTable st, CreateStreamTable c) throws SQLException {
        StreamTableStore.requireOwner(st);
        QueryProbe.Analysis analysis = QueryProbe.analyze(session, c.query());
        ModeChoice mode = chooseMode(c.refreshMode(), st.displayName(), c.query(), analysis, st.schema(), st.name());
        updateSettings(st, c.schedule());
        session.update("UPDATE pgtrickle.pgt_stream_tables SET diamond_consistency = ?, diamond_schedule_policy = ?, "
                + "cdc_mode = ?, append_only = ? WHERE pgt_id = ?", c.diamondConsistency(), c.diamondSchedulePolicy(),
                c.cdcMode(), c.appendOnly(), st.id());
        // a stream table in ERROR (say, its source was dropped and made again) is rebuilt even when its
        // query reads the same
        if (!analysis.canonicalQuery().equals(st.definingQuery()) || st.status() == Status.ERROR) {
            migrate(StreamTableStore.byId(session, st.id()), analysis, c.query(), c.refreshMode(), mode);
        } else {
            changeMode(st, c.refreshMode(), mode, analysis.sources());
        }
    }

    void alter(AlterStreamTable c) throws SQLException {
        StreamTable st = StreamTableStore.require(session, c.name());
        StreamTableStore.requireOwner(st);
        if (c.refreshMode() != null) {
            rejectUnavailableMode(c.refreshMode());
        }
        QueryProbe.Analysis analysis = c.query() == null ? null : QueryProbe.analyze(session, c.query());
        // a new query under the configured mode has its mode and reason recomputed too
        RefreshMode requested = c.refreshMode() != null ? c.refreshMode() : analysis != null ? st.refreshMode() : null;
        ModeChoice mode = null;
        List<Source> sources = List.of();
        if (requested != null) {
            String query = c.query() != null ? c.query() : st.originalQuery();
            QueryProbe.Analysis analysed = analysis != null ? analysis : QueryProbe.analyze(session, query);
            mode = chooseMode(requested, st.displayName(), query, analysed, st.schema(), st.name());
            sources = analysed.sources();
        }
        updateSettings(st, c.schedule());
        if (c.diamondConsistency() != null || c.diamondSchedulePolicy() != null) {
            session.update("UPDATE pgtrickle.pgt_stream_tables SET diamond_consistency = coalesce(?, diamond_consistency), "
                    + "diamond_schedule_policy = coalesce(?, diamond_schedule_policy), updated_at = now() WHERE pgt_id = ?",
                    c.diamondConsistency(), c.diamondSchedulePolicy(), st.id());
        }
        if (c.status() != null) {
            if (c.status() != Status.ACTIVE && c.status() != Status.SUSPENDED) {
                throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE,
                        "status must be ACTIVE or SUSPENDED, not " + c.status());
            }
            session.update("UPDATE pgtrickle.pgt_stream_tables SET status = ?, updated_at = now(), "
                    + "consecutive_errors = CASE WHEN ? = 'ACTIVE' THEN 0 ELSE consecutive_errors END "
                    + "WHERE pgt_id = ?", c.status().name(), c.status().name(), st.id());
        }
        if (analysis != null && (!analysis.canonicalQuery().equals(st.definingQuery()) || st.status() == Status.ERROR)) {
            migrate(StreamTableStore.byId(session, st.id()), analysis, c.query(), requested, mode);
        } else if (mode != null) {
            changeMode(StreamTableStore.byId(session, st.id()), requested, mode, sources);
        }
    }

    void drop(DropStreamTable c) throws SQLException {
        StreamTable st = StreamTableStore.require(session, c.name());
        StreamTableStore.requireOwner(st);
        dropTree(st, c.cascade(), new HashSet<>());
    }

    void refresh(RefreshStreamTable c) throws SQLException {
        StreamTable st = StreamTableStore.require(session, c.name());
        StreamTableStore.requireOwner(st);
        if (st.status() == Status.SUSPENDED) {
            throw new PgTrickleException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "stream table " + st.displayName() + " is suspended", null,
                    "Resume it with pgtrickle.resume_stream_table(" + Identifiers.literal(st.displayName()) + ").");
        }
        failedRefresh = st.id();
        Refresher.Initiator initiator = c.scheduled() ? Refresher.Initiator.SCHEDULER : Refresher.Initiator.MANUAL;
        if (st.effectiveMode() == RefreshMode.DIFFERENTIAL && Differential.viewsChanged(session, st.maintenance())) {
            reinitialize(st, initiator, VIEWS_CHANGED);
        } else {
            Refresher.refresh(session, st, initiator);
        }
        failedRefresh = null;
    }

    /** Why a refresh planned a stream table again (pgt_refresh_history.reason). */
    static final String VIEWS_CHANGED = "a view the defining query reads was replaced, dropped or retyped since "
            + "the stream table was planned: planned again and recomputed";

    /**
     * Plans the stream table again from its original query, as create_or_replace would with it (sources
     * and capture, storage if the columns differ, mode and maintenance SQL), and recomputes it.
     */
    private void reinitialize(StreamTable st, Refresher.Initiator initiator, String reason) throws SQLException {
        QueryProbe.Analysis analysis = QueryProbe.analyze(session, st.originalQuery());
        ModeChoice mode = chooseMode(st.refreshMode(), st.displayName(), st.originalQuery(), analysis, st.schema(),
                st.name());
        migrate(st, analysis, st.originalQuery(), st.refreshMode(), mode, initiator, reason);
    }

    /** The id of the stream table whose refresh this call attempted and failed, if any. */
    Long failedRefresh() {
        return failedRefresh;
    }

    void resume(ResumeStreamTable c) throws SQLException {
        StreamTable st = StreamTableStore.require(session, c.name());
        StreamTableStore.requireOwner(st);
        session.update("UPDATE pgtrickle.pgt_stream_tables SET status = 'ACTIVE', consecutive_errors = 0, "
                + "last_error_message = NULL, updated_at = now() WHERE pgt_id = ?", st.id());
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The refresh mode a stream table gets, and why; for DIFFERENTIAL the maintenance SQL, the search_path it
     * runs with, the planner's tree rendered ({@code operatorTree}) and the views the plan inlined
     * ({@code views}; empty without a plan).
     */
    record ModeChoice(RefreshMode effective, String reason, MaintenancePlan plan, String searchPath, String operatorTree,
            List<Long> views) {
        static ModeChoice full(String reason) {
            return new ModeChoice(RefreshMode.FULL, reason, null, null, null, List.of());
        }
    }

    /** 0A000 for the modes this version cannot run yet, before anything is done. */
    private static void rejectUnavailableMode(RefreshMode requested) {
        if (requested == RefreshMode.IMMEDIATE) {
            throw new PgTrickleException(SqlState.FEATURE_NOT_SUPPORTED,
                    "refresh mode " + requested + " is not supported yet", null,
                    "Use refresh_mode => 'DIFFERENTIAL', 'FULL' or 'AUTO'.");
        }
    }

    /**
     * What AUTO would choose for {@code query} as a stream table named {@code name} in {@code schema}, with
     * no storage table created and no notice raised (validate_query).
     */
    static ModeChoice autoChoice(Session session, String query, QueryProbe.Analysis analysis, String schema, String name)
            throws SQLException {
        return new Lifecycle(session, new ArrayList<>()).chooseMode(RefreshMode.AUTO, schema + "." + name, query, analysis,
                schema, name);
    }

    /**
     * FULL when asked for. Otherwise the query is checked for what changes its result by itself
     * (volatile functions, the clock), the planner analyses it and compiles its maintenance SQL for the
     * storage table {@code schema.name}. When that fails, DIFFERENTIAL is refused with 0A000 naming the
     * construct, and AUTO falls back to FULL with a WARNING that says why.
     */
    private ModeChoice chooseMode(RefreshMode requested, String display, String query, QueryProbe.Analysis analysis,
            String schema, String name) throws SQLException {
        if (requested == RefreshMode.FULL) {
            return ModeChoice.full("FULL was requested");
        }
        String obstacle = Volatility.construct(session, query).map(v -> "it uses " + v
                + ", whose result changes without any change to the sources").orElse(null);
        MaintenancePlan plan = null;
        String tree = null;
        if (obstacle == null) {
            String text = Casts.parenthesize(query);
            Planner.Analysis analysed = Planner.analyze(text, CalciteMask.mask(text),
                    PlannerCatalog.read(session, analysis.sources(), analysis.views()));
            if (analysed instanceof Planner.NotMaintainable n) {
                obstacle = n.reason();
            } else {
                tree = ((Planner.Maintainable) analysed).tree().render().strip();
                try {
                    plan = Differential.compile(session, ((Planner.Maintainable) analysed).tree(), schema, name,
                            analysis.columns(), analysis.sources());
                } catch (TreeBuilder.Unsupported e) {
                    obstacle = e.getMessage();
                }
                if (plan != null && requested == RefreshMode.AUTO && plan.rule() == MaintenancePlan.Rule.GROUPS_RECOMPUTED) {
                    return notDifferential(requested, display, AGGREGATES_UNDER_AUTO);
                }
            }
        }
        if (plan != null) {
            return new ModeChoice(RefreshMode.DIFFERENTIAL, "the query is maintained differentially", plan,
                    Differential.searchPath(session), tree, analysis.views().stream().map(Source::relid).toList());
        }
        return notDifferential(requested, display, "the query cannot be maintained differentially: " + obstacle);
    }

    /**
     * Why AUTO refreshes FULL a grouped query that DIFFERENTIAL can maintain only by recomputing the
     * affected groups (aggregates other than COUNT, SUM and AVG of exact values, MIN and MAX, HAVING,
     * expressions over aggregates, WHERE subqueries): that reads about as many rows as a recompute
     * (measured, docs/benchmarks.md).
     */
    static final String AGGREGATES_UNDER_AUTO = "a grouped query with aggregates other than COUNT, SUM and AVG of "
            + "integer or numeric(p,s) values, MIN and MAX, with HAVING or with expressions over aggregates, or with "
            + "subqueries in its WHERE is maintained differentially "
            + "by recomputing the groups that changed, which measured no faster than FULL "
            + "(refresh_mode => 'DIFFERENTIAL' uses it anyway)";

    /** 0A000 when DIFFERENTIAL was asked for; FULL with a WARNING under AUTO. */
    private ModeChoice notDifferential(RefreshMode requested, String display, String reason) {
        if (requested == RefreshMode.DIFFERENTIAL) {
            throw new PgTrickleException(SqlState.FEATURE_NOT_SUPPORTED,
                    "stream table " + display + " cannot be refreshed DIFFERENTIAL: " + reason.replaceFirst(
                            "^the query cannot be maintained differentially: ", ""), null,
                    "Use refresh_mode => 'FULL', or 'AUTO' to let pgtrickle choose.");
        }
        notices.add(Notice.warning(SqlState.FEATURE_NOT_SUPPORTED.code(),
                "stream table " + display + " will be refreshed FULL: " + reason, null));
        return ModeChoice.full(reason);
    }

    /**
     * Captures the sources with the columns the plan reads from their buffers (none without a plan:
     * a FULL refresh asks only whether anything changed). When a buffer another role installed lacks
     * some, and the current role may not widen it, DIFFERENTIAL is refused with 42501, and AUTO falls
     * back to FULL with a WARNING.
     */
    private ModeChoice capture(ModeChoice mode, RefreshMode requested, String display, List<Source> sources)
            throws SQLException {
        if (mode.plan() != null) {
            for (Source s : sources) {
                Optional<String> obstacle = Capture.cannotWiden(session, s, bufferColumns(mode.plan(), s));
                if (obstacle.isPresent() && requested == RefreshMode.DIFFERENTIAL) {
                    throw new PgTrickleException(SqlState.INSUFFICIENT_PRIVILEGE, "stream table " + display
                            + " cannot be refreshed DIFFERENTIAL: " + obstacle.get(), null,
                            "Create it as a member of that role, or use refresh_mode => 'FULL'.");
                }
                if (obstacle.isPresent()) {
                    mode = notDifferential(requested, display, "the query cannot be maintained differentially: "
                            + obstacle.get());
                    break;
                }
            }
        }
        captureChanged = false;
        for (Source s : sources) {
            captureChanged |= Capture.ensure(session, s, bufferColumns(mode.plan(), s));
        }
        return mode;
    }

    private static List<String> bufferColumns(MaintenancePlan plan, Source source) {
        return plan == null ? List.of()
                : plan.bufferColumns().getOrDefault(PgRelation.qualifiedName(source.schema(), source.name()), List.of());
    }

    /**
     * After {@link #capture} changed a buffer: a stream table refreshed since may still have missed
     * changes outside READ COMMITTED ({@link Capture#requireRecomputeIfStale}); one not refreshed keeps a
     * frontier from before, whose window holds rows without the new columns, and recomputes next time.
     */
    private void afterCapture(long id, boolean refreshed) throws SQLException {
        if (!captureChanged) {
            return;
        }
        if (refreshed) {
            Capture.requireRecomputeIfStale(session, id);
        } else {
            session.update("UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true WHERE pgt_id = ?", id);
        }
    }

    /**
     * Once the storage table and capture exist: the storage gets the plan's hidden columns (or loses
     * them for FULL), and PostgreSQL must accept the plan's SQL; if it does not, as for
     * {@link #notDifferential}. Gives the mode finally chosen.
     */
    private ModeChoice settle(ModeChoice mode, RefreshMode requested, String display, String relation, long relid)
            throws SQLException {
        storageChanged = false;
        if (mode.plan() != null) {
            storageChanged = Differential.reconcileStorage(session, relation, relid, mode.plan());
            java.util.Optional<String> problem = Differential.check(session, mode.plan(), mode.searchPath());
            if (problem.isPresent()) {
                mode = notDifferential(requested, display, "the query cannot be maintained differentially: "
                        + "PostgreSQL refuses the maintenance SQL pgtrickle made for it (" + problem.get() + ")");
            }
        }
        if (mode.plan() == null) {
            storageChanged |= Differential.reconcileStorage(session, relation, relid, null);
        }
        return mode;
    }

    private void storeMaintenance(long id, ModeChoice mode) throws SQLException {
        String views = mode.plan() == null || mode.views().isEmpty() ? null : QueryProbe.oidArray(mode.views());
        session.update("UPDATE pgtrickle.pgt_stream_tables SET populate_query = ?, delta_sql = ?, "
                + "planned_search_path = ?, planned_settings = ?::text[], operator_tree = ?, delta_rule = ?, "
                + "planned_views = ?::oid[], planned_views_md5 = " + Differential.VIEWS_FINGERPRINT + " WHERE pgt_id = ?",
                mode.plan() == null ? null : mode.plan().populateQuery(),
                mode.plan() == null ? null : mode.plan().deltaStatement(), mode.searchPath(),
                mode.plan() == null ? null : Differential.settings(session),
                mode.operatorTree(),
                mode.plan() == null ? null : mode.plan().rule().name(), views, views, views, id);
    }

    /** A new refresh mode (or a new plan for the same query): storage, stored SQL, and the rows if the storage changed. */
    private void changeMode(StreamTable st, RefreshMode requested, ModeChoice mode, List<Source> sources)
            throws SQLException {
        if (!st.storageExists()) {
            return; // the next create_or_replace or alter with a query rebuilds it
        }
        ModeChoice settled = settle(capture(mode, requested, st.displayName(), sources), requested, st.displayName(),
                st.quotedName(), st.relid());
        saveMode(st.id(), requested, settled);
        storeMaintenance(st.id(), settled);
        if (storageChanged) {
            Refresher.refresh(session, StreamTableStore.byId(session, st.id()), Refresher.Initiator.INITIAL);
        }
        afterCapture(st.id(), storageChanged);
    }

    private void updateSettings(StreamTable st, Schedule schedule) throws SQLException {
        if (schedule != null) {
            session.update("UPDATE pgtrickle.pgt_stream_tables SET schedule = ?, "
                    + "freshness_bound = ?::bigint * interval '1 second', updated_at = now() WHERE pgt_id = ?",
                    schedule.text(), freshnessSeconds(schedule), st.id());
        }
    }

    private void saveMode(long id, RefreshMode requested, ModeChoice mode) throws SQLException {
        session.update("UPDATE pgtrickle.pgt_stream_tables SET refresh_mode = ?, effective_refresh_mode = ?, "
                + "refresh_mode_reason = ?, updated_at = now() WHERE pgt_id = ?",
                requested.name(), mode.effective().name(), mode.reason(), id);
    }

    /** Brings a stream table to a new defining query: new sources and capture, storage if the columns differ. */
    private void migrate(StreamTable st, QueryProbe.Analysis analysis, String originalQuery, RefreshMode requested,
            ModeChoice mode) throws SQLException {
        migrate(st, analysis, originalQuery, requested, mode, Refresher.Initiator.INITIAL, null);
    }

    /** As above; a {@code reinitialized} reason records the recompute as a REINITIALIZE by {@code initiator}. */
    private void migrate(StreamTable st, QueryProbe.Analysis analysis, String originalQuery, RefreshMode requested,
            ModeChoice mode, Refresher.Initiator initiator, String reinitialized) throws SQLException {
        rejectCycles(st, analysis.sources());
        Refresher.forgetPrepared(session, st.id());
        long relid = st.relid();
        if (!st.storageExists() || !sameColumns(st, analysis.columns())) {
            List<StreamTable> dependents = StreamTableStore.dependents(session, st);
            if (!dependents.isEmpty()) {
                throw new PgTrickleException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST,
                        "cannot change the columns of stream table " + st.displayName()
                                + " because other stream tables depend on it",
                        "stream table " + dependents.get(0).displayName() + " depends on stream table "
                                + st.displayName(),
                        "Keep the same columns, or drop the dependent stream tables first.");
            }
            if (st.storageExists()) {
                session.script("DROP TABLE " + st.quotedName());
            }
            relid = createStorage(st.quotedName(), analysis.columns());
        }
        List<Long> oldSources = StreamTableStore.sourceRelids(session, st.id());
        ModeChoice settled = settle(capture(mode, requested, st.displayName(), analysis.sources()), requested,
                st.displayName(), st.quotedName(), relid);
        session.update("UPDATE pgtrickle.pgt_stream_tables SET pgt_relid = ?::oid::regclass, defining_query = ?, "
                + "original_query = ?, frontier = NULL, is_populated = false, updated_at = now() WHERE pgt_id = ?",
                relid, analysis.canonicalQuery(), originalQuery, st.id());
        saveMode(st.id(), requested, settled);
        storeMaintenance(st.id(), settled);
        StreamTableStore.saveDependencies(session, st.id(), analysis.sources());
        for (long old : oldSources) {
            Capture.removeIfUnused(session, old);
        }
        Refresher.refresh(session, StreamTableStore.byId(session, st.id()), initiator, reinitialized);
        afterCapture(st.id(), true);
    }

    /** 3F000 when reading these sources would make the stream table depend on itself. */
    private void rejectCycles(StreamTable st, List<Source> sources) throws SQLException {
        for (Source s : sources) {
            if (s.type() != Source.Type.STREAM_TABLE) {
                continue;
            }
            Row path = session.query("WITH RECURSIVE up(relid, path) AS ("
                    + " SELECT ?::oid, ARRAY[?::oid]"
                    + " UNION ALL"
                    + " SELECT d.source_relid::oid, up.path || d.source_relid::oid FROM up"
                    + " JOIN pgtrickle.pgt_stream_tables s ON s.pgt_relid = up.relid"
                    + " JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = s.pgt_id"
                    + " WHERE NOT d.source_relid::oid = ANY (up.path))"
                    + " SELECT (SELECT string_agg(x::regclass::text, ' -> ' ORDER BY o) FROM unnest(path) WITH ORDINALITY"
                    + " AS t(x, o)) AS cycle FROM up WHERE relid = ?::oid LIMIT 1", s.relid(), s.relid(), st.relid())
                    .stream().findFirst().orElse(null);
            if (path != null) {
                throw new PgTrickleException(SqlState.INVALID_RECURSION,
                        "cycle in the dependency graph: " + st.displayName() + " -> " + path.get("cycle"), null,
                        "A stream table cannot read itself, directly or through other stream tables.");
            }
        }
    }

    private boolean sameColumns(StreamTable st, List<QueryProbe.Column> columns) throws SQLException {
        return QueryProbe.storageColumns(session, st.relid()).equals(columns);
    }

    private void dropTree(StreamTable st, boolean cascade, Set<Long> dropped) throws SQLException {
        if (!dropped.add(st.id())) {
            return;
        }
        List<StreamTable> dependents = StreamTableStore.dependents(session, st);
        if (!dependents.isEmpty() && !cascade) {
            throw new PgTrickleException(SqlState.DEPENDENT_OBJECTS_STILL_EXIST,
                    "cannot drop stream table " + st.displayName() + " because other stream tables depend on it",
                    "stream table " + dependents.get(0).displayName() + " depends on stream table " + st.displayName(),
                    "Use cascade => true to drop the dependent stream tables too.");
        }
        for (StreamTable d : dependents) {
            StreamTableStore.requireOwner(d);
            dropTree(d, true, dropped);
        }
        List<Long> sources = StreamTableStore.sourceRelids(session, st.id());
        if (st.storageExists()) {
            session.script("DROP TABLE " + st.quotedName() + (cascade ? " CASCADE" : ""));
        }
        session.update("DELETE FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ?", st.id());
        Refresher.forgetPrepared(session, st.id());
        for (long relid : sources) {
            Capture.removeIfUnused(session, relid);
        }
    }

    private long createStorage(String relation, List<QueryProbe.Column> columns) throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(relation).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ddl.append(i == 0 ? "\n    " : ",\n    ").append(quote(columns.get(i).name())).append(' ')
                    .append(columns.get(i).type());
        }
        ddl.append("\n);\nCREATE TRIGGER pgt_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ").append(relation)
                .append(" FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._guard_storage();\n")
                .append("COMMENT ON TABLE ").append(relation)
                .append(" IS 'pgtrickle stream table: maintained by pgtrickle, see pgtrickle.pgt_stream_tables';\n");
        session.script(ddl.toString());
        return session.queryOne("SELECT to_regclass(?)::oid AS relid", relation).getLong("relid");
    }

    private String currentSchema() throws SQLException {
        String schema = session.queryOne("SELECT current_schema() AS s").get("s");
        if (schema == null) {
            throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "no schema has been selected to create in",
                    null, "Qualify the name (schema.name) or set search_path.");
        }
        return schema;
    }

    private static Long freshnessSeconds(Schedule schedule) {
        return schedule.freshness() == null ? null : schedule.freshness().toSeconds();
    }
}
