package io.pgtrickle.sql.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.command.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which tables a pass refreshes and in which order, at fixed instants (the test clock). */
class PassPlanTest {
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private static Candidate table(long id, String schedule, Duration stale, Long... upstream) {
        Instant refreshed = stale == null ? null : NOW.minus(stale);
        return new Candidate(id, new QualifiedName("public", "t" + id), "owner", Schedule.parse(schedule), true,
                refreshed != null, refreshed, refreshed, NOW.minus(Duration.ofDays(1)), 0, null, List.of(upstream));
    }

    private static List<List<Long>> ids(List<Candidate> candidates) {
        return PassPlan.plan(candidates, NOW, TICK, UTC).stream().map(l -> l.stream().map(Candidate::id).toList()).toList();
    }

    @Test
    void aFreshnessBoundIsDueWhenTheNextPassWouldExceedIt() {
        assertThat(ids(List.of(table(1, "1m", Duration.ofSeconds(58))))).isEmpty();
        assertThat(ids(List.of(table(1, "1m", Duration.ofSeconds(59))))).containsExactly(List.of(1L));
        assertThat(ids(List.of(table(1, "1m", null)))).as("never populated").containsExactly(List.of(1L));
    }

    @Test
    void calculatedTakesTheTightestReaderAndOneSecondForALeaf() {
        // 1 (calculated) is read by 2 (10m) and 3 (30s); 4 (calculated) is read by nobody
        List<Candidate> all = List.of(table(1, "calculated", Duration.ofSeconds(29)), table(2, "10m", Duration.ofSeconds(5), 1L),
                table(3, "30s", Duration.ofSeconds(5), 1L), table(4, "calculated", Duration.ofMillis(100)));
        // 1 is due at 30s - tick, 4 at 1s - tick; 3 reads 1 and was refreshed more than 30s / 10 ago, so it
        // takes 1's changes in the same pass; 2 was refreshed less than 10m / 10 ago, so it waits
        assertThat(ids(all)).containsExactly(List.of(1L, 4L), List.of(3L));
        assertThat(ids(List.of(table(1, "calculated", Duration.ofSeconds(28)), table(3, "30s", Duration.ofSeconds(5), 1L))))
                .isEmpty();
    }

    @Test
    void dueTablesComeAfterTheDueTablesTheyReadAndIndependentOnesShareALevel() {
        // diamond: 1 -> 2, 1 -> 3, 2 + 3 -> 4; 5 alone
        List<Candidate> all = List.of(table(4, "1s", Duration.ofSeconds(5), 2L, 3L), table(3, "calculated", Duration.ofSeconds(5), 1L),
                table(2, "calculated", Duration.ofSeconds(5), 1L), table(1, "calculated", Duration.ofSeconds(5)),
                table(5, "1s", Duration.ofSeconds(5)));
        assertThat(ids(all)).containsExactly(List.of(1L, 5L), List.of(2L, 3L), List.of(4L));
    }

    @Test
    void cronFiresOnceItsNextTimeAfterTheLastRefreshHasCome() {
        // every 5 minutes; last refresh at 09:54:00: next firing 09:55, due at 10:00
        assertThat(ids(List.of(table(1, "*/5 * * * *", Duration.ofMinutes(6))))).containsExactly(List.of(1L));
        // last refresh 09:58: next firing 10:00:00, which is now
        assertThat(ids(List.of(table(1, "*/5 * * * *", Duration.ofMinutes(2))))).containsExactly(List.of(1L));
        // last refresh 10:00:00 (now): next 10:05
        assertThat(ids(List.of(table(1, "*/5 * * * *", Duration.ZERO)))).isEmpty();
        // @daily is midnight in the scheduler's zone: refreshed at 23:00 UTC yesterday, it is due again at
        // midnight UTC, but in Tokyo (UTC+9) that refresh was at 08:00 and the next midnight is 15:00 UTC today
        Candidate daily = table(1, "@daily", Duration.ofHours(11));
        assertThat(PassPlan.plan(List.of(daily), NOW, TICK, UTC)).hasSize(1);
        assertThat(PassPlan.plan(List.of(daily), NOW, TICK, ZoneId.of("Asia/Tokyo"))).isEmpty();
        assertThat(PassPlan.plan(List.of(table(1, "@daily", Duration.ofHours(20))), NOW, TICK, ZoneId.of("Asia/Tokyo")))
                .as("refreshed at 23:00 Tokyo yesterday: midnight has passed there").hasSize(1);
        // a schedule's own zone (CRON_TZ=) wins over the scheduler's, whichever that is
        assertThat(PassPlan.plan(List.of(table(1, "CRON_TZ=Asia/Tokyo @daily", Duration.ofHours(11))), NOW, TICK, UTC))
                .isEmpty();
        assertThat(PassPlan.plan(List.of(table(1, "CRON_TZ=UTC @daily", Duration.ofHours(11))), NOW, TICK,
                ZoneId.of("Asia/Tokyo"))).hasSize(1);
        // six fields: seconds first
        assertThat(ids(List.of(table(1, "30 * * * * *", Duration.ofSeconds(31))))).containsExactly(List.of(1L));
        assertThat(ids(List.of(table(1, "30 * * * * *", Duration.ofSeconds(29))))).isEmpty();
    }

    @Test
    void notifiedChangesRefreshAtOnceUnlessRefreshedWithinATenthOfTheBound() {
        Candidate recent = table(1, "1m", Duration.ofSeconds(5));
        PassPlan.Pass held = PassPlan.plan(List.of(recent), NOW, TICK, UTC, java.util.Set.of(1L), java.util.Set.of());
        assertThat(held.levels()).isEmpty();
        assertThat(held.wakeAt()).isEqualTo(NOW.plusSeconds(1)); // refreshed 5 s ago + 6 s
        Candidate older = table(1, "1m", Duration.ofSeconds(7));
        assertThat(PassPlan.plan(List.of(older), NOW, TICK, UTC, java.util.Set.of(1L), java.util.Set.of()).levels())
                .hasSize(1);
        // cron waits for its time whatever changed
        assertThat(PassPlan.plan(List.of(table(1, "3 * * * *", Duration.ofMinutes(1))), NOW, TICK, UTC,
                java.util.Set.of(1L), java.util.Set.of()).levels()).isEmpty();
    }

    @Test
    void aDueTableWhoseSourcesDidNotChangeIsOnlyConfirmed() {
        Candidate idle = table(1, "1s", Duration.ofSeconds(2));
        PassPlan.Pass pass = PassPlan.plan(List.of(idle), NOW, TICK, UTC, java.util.Set.of(), java.util.Set.of(1L));
        assertThat(pass.confirmed()).extracting(Candidate::id).containsExactly(1L);
        assertThat(pass.levels()).isEmpty();
        // not known to be clean: refreshed
        assertThat(PassPlan.plan(List.of(idle), NOW, TICK, UTC, java.util.Set.of(), java.util.Set.of()).levels()).hasSize(1);
        // a clean reader of a table refreshed in this pass is refreshed after it
        Candidate up = table(1, "calculated", Duration.ofSeconds(2));
        Candidate down = table(2, "1s", Duration.ofSeconds(2), 1L);
        PassPlan.Pass chain = PassPlan.plan(List.of(down, up), NOW, TICK, UTC, java.util.Set.of(1L), java.util.Set.of(2L));
        assertThat(chain.confirmed()).isEmpty();
        assertThat(chain.tables()).extracting(l -> l.get(0).id()).containsExactly(1L, 2L);
    }

    @Test
    void failuresBackOffAndSuspendedOrErrorTablesAreLeftAlone() {
        Candidate failing = new Candidate(1, new QualifiedName("public", "t1"), "o", Schedule.parse("1s"), true, true,
                NOW.minusSeconds(10), NOW.minusSeconds(10), NOW.minusSeconds(100), 2, NOW.minusSeconds(3), List.of());
        assertThat(PassPlan.plan(List.of(failing), NOW, TICK, UTC)).as("2 failures: wait 4 s").isEmpty();
        assertThat(PassPlan.plan(List.of(failing), NOW.plusSeconds(1), TICK, UTC)).hasSize(1);
        Candidate suspended = new Candidate(1, new QualifiedName("public", "t1"), "o", Schedule.parse("1s"), false, true,
                NOW.minusSeconds(10), NOW.minusSeconds(10), NOW.minusSeconds(100), 3, NOW.minusSeconds(30), List.of());
        assertThat(PassPlan.plan(List.of(suspended), NOW, TICK, UTC)).isEmpty();
        assertThat(PassPlan.backoff(TICK, 30)).isEqualTo(PassPlan.MAX_BACKOFF);
    }

    private static final long SOURCE = 9001; // a plain table's oid

    /** The units of each level of a pass, as lists of ids. */
    private static List<List<List<Long>>> units(List<Candidate> candidates, java.util.Set<Long> changed) {
        return PassPlan.plan(candidates, NOW, TICK, UTC, changed, java.util.Set.of()).levels().stream()
                .map(l -> l.stream().map(u -> u.tables().stream().map(Candidate::id).toList()).toList()).toList();
    }

    @Test
    void tablesThatReadOnePlainTableOnTheWayToOneReaderRefreshAsOneUnit() {
        // source -> 1 -> 3, source -> 2 -> 3; 4 reads the source alone
        Candidate b = table(1, "calculated", Duration.ofSeconds(20)).reading(List.of(SOURCE), true, false);
        Candidate c = table(2, "calculated", Duration.ofMillis(50)).reading(List.of(SOURCE), true, false);
        Candidate d = table(3, "10s", Duration.ofSeconds(5), 1L, 2L);
        Candidate alone = table(4, "1s", Duration.ofSeconds(5)).reading(List.of(SOURCE), true, false);
        // 1 is due (bound 10 s from 3); 2 is not (refreshed 50 ms ago, no change known) but comes with it (fastest); 3 follows
        assertThat(units(List.of(b, c, d, alone), java.util.Set.of())).containsExactly(
                List.of(List.of(1L, 2L), List.of(4L)), List.of(List.of(3L)));
        // diamond_consistency none on the reader: independent refreshes, 2 not taken along
        Candidate loose = table(3, "10s", Duration.ofSeconds(5), 1L, 2L).reading(List.of(), false, false);
        assertThat(units(List.of(b, c, loose), java.util.Set.of())).containsExactly(
                List.of(List.of(1L)), List.of(List.of(3L)));
        // policy slowest: 2 is not due, so neither is refreshed, and nothing follows
        Candidate slow = table(3, "10s", Duration.ofSeconds(5), 1L, 2L).reading(List.of(), true, true);
        assertThat(units(List.of(b, c, slow), java.util.Set.of())).isEmpty();
        // ... until both are due
        Candidate cDue = table(2, "calculated", Duration.ofSeconds(20)).reading(List.of(SOURCE), true, false);
        assertThat(units(List.of(b, cDue, slow), java.util.Set.of())).containsExactly(
                List.of(List.of(1L, 2L)), List.of(List.of(3L)));
        // a chain is no diamond
        Candidate top = table(1, "calculated", Duration.ofSeconds(5)).reading(List.of(SOURCE), true, false);
        Candidate mid = table(2, "calculated", Duration.ofSeconds(5), 1L);
        Candidate leaf = table(3, "1s", Duration.ofSeconds(5), 2L);
        assertThat(units(List.of(top, mid, leaf), java.util.Set.of())).containsExactly(
                List.of(List.of(1L)), List.of(List.of(2L)), List.of(List.of(3L)));
    }

    @Test
    void aGroupTakesTheTablesBetweenItsMembersAndRunsInDependencyOrder() {
        // source -> 1 -> 2 -> 3, and 3 reads the source too: 1 and 3 must see one snapshot, so 2 between them too
        Candidate first = table(1, "calculated", Duration.ofSeconds(5)).reading(List.of(SOURCE), true, false);
        Candidate between = table(2, "calculated", Duration.ofSeconds(5), 1L);
        Candidate last = table(3, "1s", Duration.ofSeconds(5), 2L).reading(List.of(SOURCE), true, false);
        Candidate after = table(4, "1s", Duration.ofSeconds(5), 3L);
        assertThat(units(List.of(after, last, between, first), java.util.Set.of())).containsExactly(
                List.of(List.of(1L, 2L, 3L)), List.of(List.of(4L)));
        // a stream table at the top: its readers are grouped as well (one pass, one refresh of it)
        Candidate st = table(1, "calculated", Duration.ofSeconds(5));
        Candidate left = table(2, "calculated", Duration.ofSeconds(5), 1L);
        Candidate right = table(3, "calculated", Duration.ofMillis(10), 1L);
        Candidate join = table(4, "1s", Duration.ofSeconds(5), 2L, 3L);
        assertThat(units(List.of(st, left, right, join), java.util.Set.of())).containsExactly(
                List.of(List.of(1L)), List.of(List.of(2L, 3L)), List.of(List.of(4L)));
    }

    @Test
    void aGroupWaitsWhileOneOfItsTablesBacksOffAndGoesOnWithoutASuspendedOne() {
        Candidate failing = new Candidate(1, new QualifiedName("public", "t1"), "o", Schedule.parse("calculated"), true, true,
                NOW.minusSeconds(10), NOW.minusSeconds(10), NOW.minusSeconds(100), 2, NOW.minusSeconds(3), List.of())
                .reading(List.of(SOURCE), true, false);
        Candidate other = table(2, "calculated", Duration.ofSeconds(5)).reading(List.of(SOURCE), true, false);
        Candidate d = table(3, "1s", Duration.ofSeconds(5), 1L, 2L);
        // 1 waits out its back-off: 2 waits with it, so 3 would not combine a new 2 with an old 1; 3 itself is due
        assertThat(units(List.of(failing, other, d), java.util.Set.of(2L))).containsExactly(List.of(List.of(3L)));
        Candidate suspended = new Candidate(1, new QualifiedName("public", "t1"), "o", Schedule.parse("calculated"), false,
                true, NOW.minusSeconds(10), NOW.minusSeconds(10), NOW.minusSeconds(100), 3, NOW.minusSeconds(3), List.of())
                .reading(List.of(SOURCE), true, false);
        assertThat(units(List.of(suspended, other, d), java.util.Set.of(2L))).containsExactly(
                List.of(List.of(2L)), List.of(List.of(3L)));
    }
}
