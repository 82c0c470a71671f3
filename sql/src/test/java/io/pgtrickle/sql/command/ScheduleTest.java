package io.pgtrickle.sql.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.sql.error.PgTrickleException;
import java.time.Duration;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schedules as ../shared/API.md writes them; anything else is 22023 at create/alter time. */
class ScheduleTest {

    @Test
    void durationsCronAndCalculated() {
        assertThat(Schedule.parse("1h30m").freshness()).isEqualTo(Duration.ofMinutes(90));
        assertThat(Schedule.parse(" Calculated ")).isEqualTo(Schedule.CALCULATED);
        assertThat(Schedule.parse("*/5  *  * * *").text()).isEqualTo("*/5 * * * *");
        assertThat(Schedule.parse("@HOURLY").kind()).isEqualTo(Schedule.Kind.CRON);
        ZonedDateTime t = ZonedDateTime.parse("2026-12-03T10:07:13Z");
        assertThat(Schedule.parse("*/5 * * * *").cron().next(t)).contains(ZonedDateTime.parse("2026-12-03T10:10:00Z"));
        assertThat(Schedule.parse("@hourly").cron().next(t)).contains(ZonedDateTime.parse("2026-12-03T11:00:00Z"));
        assertThat(Schedule.parse("15 0 9 * * MON-FRI").cron().next(t)).contains(ZonedDateTime.parse("2026-12-04T09:00:15Z"));
    }

    @Test
    void aCronScheduleMayStateItsTimeZone() {
        Schedule paris = Schedule.parse("  cron_tz=Europe/Paris   0 10 * * * ");
        assertThat(paris.kind()).isEqualTo(Schedule.Kind.CRON);
        assertThat(paris.text()).isEqualTo("CRON_TZ=Europe/Paris 0 10 * * *");
        assertThat(paris.zone()).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
        assertThat(Schedule.parse(paris.text())).as("stored text parses to the same").isEqualTo(paris);
        assertThat(paris.zoneOr(java.time.ZoneId.of("UTC"))).isEqualTo(java.time.ZoneId.of("Europe/Paris"));
        assertThat(Schedule.parse("0 10 * * *").zoneOr(java.time.ZoneId.of("UTC"))).isEqualTo(java.time.ZoneId.of("UTC"));
        // 10:00 in Paris in winter is 09:00 UTC
        ZonedDateTime t = ZonedDateTime.parse("2026-12-03T08:00:00Z");
        assertThat(paris.cron().next(t.withZoneSameInstant(paris.zone())).map(ZonedDateTime::toInstant))
                .contains(java.time.Instant.parse("2026-12-03T09:00:00Z"));
        assertThat(Schedule.parse("TZ=UTC @hourly").text()).isEqualTo("CRON_TZ=UTC @hourly");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CRON_TZ=Mars/Olympus 0 10 * * *", "CRON_TZ=Europe/Paris 1m", "CRON_TZ=UTC calculated",
        "CRON_TZ=UTC CRON_TZ=UTC @daily", "CRON_TZ=UTC", "CRON_TZ=Europe/Paris 61 * * * *"})
    void aTimeZoneOnAnythingButOneValidCronExpressionIsRejectedWith22023(String text) {
        assertThatThrownBy(() -> Schedule.parse(text)).isInstanceOfSatisfying(PgTrickleException.class,
                e -> assertThat(e.sqlState().code()).isEqualTo("22023"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"61 * * * *", "* * * *", "* 25 * * *", "*/0 * * * *", "@sometimes", "1 2 3 4 5 6 7",
        "0.5s", "500ms", "", "x y z a b"})
    void otherTextIsRejectedWith22023(String text) {
        assertThatThrownBy(() -> Schedule.parse(text)).isInstanceOfSatisfying(PgTrickleException.class,
                e -> assertThat(e.sqlState().code()).isEqualTo("22023"));
    }
}
