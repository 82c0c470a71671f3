package io.pgtrickle.sql.command;

import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stream table's schedule (../shared/API.md "Schedules"): {@code calculated}, a freshness bound
 * written as a duration ({@code 30s}, {@code 1h30m}, units s m h d w), or a cron expression
 * (5 fields, 6 with seconds, or {@code @hourly} and friends), optionally in a time zone of its own
 * stated as cron does, {@code CRON_TZ=Europe/Paris 0 10 * * *} ({@code TZ=} too; without it, the
 * scheduler's {@code --cron-time-zone}). Parsing validates; bad input is 22023.
 *
 * @param zone the cron schedule's own time zone, or null (the scheduler's)
 */
public record Schedule(Kind kind, String text, Duration freshness, ZoneId zone) {

    public enum Kind { CALCULATED, DURATION, CRON }

    /** Below this a schedule is rejected. */
    public static final Duration MINIMUM = Duration.ofSeconds(1);

    public static final Schedule CALCULATED = new Schedule(Kind.CALCULATED, "calculated", null, null);

    private static final Pattern DURATION = Pattern.compile("(?:\\d+[smhdw])+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)([smhdw])");
    private static final Pattern ZONE_PREFIX = Pattern.compile("(?i)(?:CRON_)?TZ=(\\S+)\\s+(.+)");

    /** Parses and validates; throws 22023 with a message saying what is accepted. */
    public static Schedule parse(String text) {
        if (text == null) {
            throw invalid("schedule must not be NULL");
        }
        String trimmed = text.trim();
        Matcher zoned = ZONE_PREFIX.matcher(trimmed);
        if (zoned.matches()) {
            ZoneId zone;
            try {
                zone = ZoneId.of(zoned.group(1));
            } catch (DateTimeException e) {
                throw invalid("unknown time zone \"" + zoned.group(1) + "\" in schedule \"" + trimmed
                        + "\": use a region such as Europe/Paris, or UTC");
            }
            Schedule cron = parse(zoned.group(2));
            if (cron.kind() != Kind.CRON || cron.zone() != null) {
                throw invalid("a time zone applies to one cron expression only, not to \"" + zoned.group(2) + "\"");
            }
            return new Schedule(Kind.CRON, "CRON_TZ=" + zone.getId() + " " + cron.text(), null, zone);
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.equals("calculated")) {
            return CALCULATED;
        }
        if (DURATION.matcher(lower).matches()) {
            Duration total = Duration.ZERO;
            Matcher m = DURATION_PART.matcher(lower);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofDays(7 * n);
                });
            }
            if (total.compareTo(MINIMUM) < 0) {
                throw invalid("schedule \"" + trimmed + "\" is below the minimum of 1s");
            }
            return new Schedule(Kind.DURATION, lower, total, null);
        }
        if (CronExpression.isNickname(lower)) {
            return new Schedule(Kind.CRON, lower, null, null);
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length == 5 || fields.length == 6) {
            String cron = String.join(" ", fields);
            try {
                CronExpression.parse(cron);
            } catch (RuntimeException e) { // cron-utils says why
                throw invalid("invalid cron schedule \"" + trimmed + "\": " + e.getMessage());
            }
            return new Schedule(Kind.CRON, cron, null, null);
        }
        throw invalid("invalid schedule \"" + trimmed + "\"");
    }

    /** The cron expression of a CRON schedule. */
    public CronExpression cron() {
        if (kind != Kind.CRON) {
            throw new IllegalStateException(this + " is not a cron schedule");
        }
        return CronExpression.parse(zone == null ? text : text.substring(text.indexOf(' ') + 1));
    }

    /** The zone its cron times are read in: its own, else {@code schedulerZone}. */
    public ZoneId zoneOr(ZoneId schedulerZone) {
        return zone != null ? zone : schedulerZone;
    }

    private static PgTrickleException invalid(String message) {
        return new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, message, null,
                "Use 'calculated', a duration such as '30s', '5m' or '1h30m' (units s m h d w, at least 1s), "
                        + "or a cron expression such as '*/5 * * * *' or '@hourly', optionally with its time zone: "
                        + "'CRON_TZ=Europe/Paris 0 10 * * *'.");
    }

    @Override
    public String toString() {
        return text;
    }
}
