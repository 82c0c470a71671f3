package io.pgtrickle.sql.command;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cron schedule (../shared/API.md "Schedules"), parsed and evaluated by cron-utils: five fields as
 * in Unix cron (minute hour day-of-month month day-of-week), six with seconds first (Spring's
 * definition), or one of the nicknames, which stand for their five-field expressions.
 */
public final class CronExpression {
    private static final CronParser FIVE = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser SIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));
    private static final Map<String, String> NICKNAMES = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    private final ExecutionTime executionTime;

    private CronExpression(Cron cron) {
        this.executionTime = ExecutionTime.forCron(cron);
    }

    /** Whether {@code text} is a nickname such as {@code @hourly}. */
    static boolean isNickname(String text) {
        return NICKNAMES.containsKey(text.toLowerCase(Locale.ROOT));
    }

    /** Parses {@code text}; IllegalArgumentException with cron-utils' reason when it is not a valid expression. */
    public static CronExpression parse(String text) {
        String trimmed = text.trim();
        String nickname = NICKNAMES.get(trimmed.toLowerCase(Locale.ROOT));
        if (nickname != null) {
            return new CronExpression(FIVE.parse(nickname).validate());
        }
        int fields = trimmed.split("\\s+").length;
        if (fields != 5 && fields != 6) {
            throw new IllegalArgumentException("a cron expression has 5 fields (6 with seconds first), not " + fields);
        }
        return new CronExpression((fields == 5 ? FIVE : SIX).parse(trimmed).validate());
    }

    /** The first time strictly after {@code after} at which the schedule fires, in {@code after}'s zone. */
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        return executionTime.nextExecution(after);
    }
}
