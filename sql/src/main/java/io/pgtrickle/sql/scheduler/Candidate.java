package io.pgtrickle.sql.scheduler;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.command.Schedule;
import java.time.Instant;
import java.util.List;

/**
 * One stream table as a scheduler pass sees it (read from the catalog at the start of the pass).
 *
 * @param id pgt_id
 * @param table its schema and name
 * @param owner the role that owns the storage table: the refresh runs as it
 * @param schedule its parsed schedule
 * @param schedulable ACTIVE or INITIALIZING, and not IMMEDIATE (which has no schedule)
 * @param populated whether it holds rows yet
 * @param dataTimestamp when its contents were last made current, or null
 * @param lastRefreshAt when it was last refreshed, or null
 * @param createdAt when it was created (a cron schedule counts from here before the first refresh)
 * @param consecutiveErrors failed refreshes in a row
 * @param lastFailureAt end of its latest failed refresh, or null
 * @param upstream the stream tables it reads (pgt_id)
 * @param buffers the change buffers of its sources
 * @param notified whether every source has a change buffer whose capture notifies (then the absence of
 *     notifications means the absence of changes)
 * @param plainSources the sources it reads that are not stream tables (relation oids)
 * @param atomic its diamond_consistency is atomic (the default): where it reads one source along two paths,
 *     the tables on those paths refresh together, in one snapshot ({@link PassPlan})
 * @param slowest its diamond_schedule_policy is slowest: such a group refreshes when all its tables are
 *     due, not when one is (fastest, the default)
 */
public record Candidate(long id, QualifiedName table, String owner, Schedule schedule, boolean schedulable, boolean populated,
        Instant dataTimestamp, Instant lastRefreshAt, Instant createdAt, int consecutiveErrors, Instant lastFailureAt,
        List<Long> upstream, List<String> buffers, boolean notified, List<Long> plainSources, boolean atomic,
        boolean slowest) {

    /** Without buffers (the pure planning tests). */
    public Candidate(long id, QualifiedName table, String owner, Schedule schedule, boolean schedulable, boolean populated,
            Instant dataTimestamp, Instant lastRefreshAt, Instant createdAt, int consecutiveErrors, Instant lastFailureAt,
            List<Long> upstream) {
        this(id, table, owner, schedule, schedulable, populated, dataTimestamp, lastRefreshAt, createdAt, consecutiveErrors,
                lastFailureAt, upstream, List.of(), false, List.of(), true, false);
    }

    /** The same table, reading these plain tables, with these diamond settings (the pure planning tests). */
    public Candidate reading(List<Long> plain, boolean atomicGroups, boolean slowestPolicy) {
        return new Candidate(id, table, owner, schedule, schedulable, populated, dataTimestamp, lastRefreshAt, createdAt,
                consecutiveErrors, lastFailureAt, upstream, buffers, notified, plain, atomicGroups, slowestPolicy);
    }
}
