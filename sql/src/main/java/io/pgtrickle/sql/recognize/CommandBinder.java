package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.command.AlterStreamTable;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.command.CreateStreamTable;
import io.pgtrickle.sql.command.DropStreamTable;
import io.pgtrickle.sql.command.OnExisting;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.command.ResumeStreamTable;
import io.pgtrickle.sql.command.Schedule;
import io.pgtrickle.sql.command.ValidateQuery;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Matches a call's arguments to its function's parameters and builds the command (see {@link Call#bind}). */
final class CommandBinder {
    private final Call call;
    private final Map<String, String> values = new HashMap<>();

    private CommandBinder(Call call) {
        this.call = call;
    }

    static Command bind(Call call, List<String> parameterValues) {
        CommandBinder binder = new CommandBinder(call);
        binder.match(parameterValues);
        return binder.build();
    }

    private void match(List<String> parameterValues) {
        List<PgTrickleFunction.Parameter> declared = call.function().parameters();
        int positional = 0;
        for (Argument a : call.arguments()) {
            PgTrickleFunction.Parameter p;
            if (!a.isNamed()) {
                if (positional >= declared.size()) {
                    throw noSuchFunction("It takes at most " + declared.size() + " arguments.");
                }
                p = declared.get(positional++);
            } else {
                p = call.function().parameter(a.name())
                        .orElseThrow(() -> noSuchFunction("It has no parameter named \"" + a.name() + "\"."));
            }
            if (values.containsKey(p.name())) {
                throw noSuchFunction("Parameter \"" + p.name() + "\" is given more than once.");
            }
            values.put(p.name(), valueOf(a.value(), parameterValues));
        }
        for (PgTrickleFunction.Parameter p : declared) {
            if (p.required() && !values.containsKey(p.name())) {
                throw noSuchFunction("Required parameter \"" + p.name() + "\" is missing.");
            }
        }
    }

    private static String valueOf(ArgumentValue v, List<String> parameterValues) {
        if (v instanceof ArgumentValue.Literal l) {
            return l.text();
        }
        if (v instanceof ArgumentValue.Parameter p) {
            return parameterValues.get(p.index() - 1);
        }
        return null;
    }

    private Command build() {
        PgTrickleFunction f = call.function();
        return switch (f) {
            case CREATE_STREAM_TABLE -> create(OnExisting.ERROR);
            case CREATE_STREAM_TABLE_IF_NOT_EXISTS -> create(OnExisting.SKIP);
            case CREATE_OR_REPLACE_STREAM_TABLE -> create(OnExisting.REPLACE);
            case ALTER_STREAM_TABLE -> new AlterStreamTable(
                    ArgumentValues.name(text("name")),
                    text("query") == null ? null : ArgumentValues.query(text("query")),
                    text("schedule") == null ? null : Schedule.parse(text("schedule")),
                    text("refresh_mode") == null ? null : ArgumentValues.refreshMode(text("refresh_mode")),
                    text("status") == null ? null : ArgumentValues.alterStatus(text("status")),
                ArgumentValues.diamondConsistency(text("diamond_consistency")),
                ArgumentValues.diamondSchedulePolicy(text("diamond_schedule_policy")));
            case DROP_STREAM_TABLE -> new DropStreamTable(ArgumentValues.name(text("name")),
                    bool("cascade", false));
            case REFRESH_STREAM_TABLE -> new RefreshStreamTable(ArgumentValues.name(text("name")));
            case RESUME_STREAM_TABLE -> new ResumeStreamTable(ArgumentValues.name(text("name")));
            case VALIDATE_QUERY -> new ValidateQuery(ArgumentValues.query(text("query")));
        };
    }

    private CreateStreamTable create(OnExisting onExisting) {
        return new CreateStreamTable(
                ArgumentValues.name(text("name")),
                ArgumentValues.query(text("query")),
                text("schedule") == null ? Schedule.CALCULATED : Schedule.parse(text("schedule")),
                text("refresh_mode") == null ? RefreshMode.AUTO : ArgumentValues.refreshMode(text("refresh_mode")),
                bool("initialize", true),
                ArgumentValues.diamondConsistency(text("diamond_consistency")),
                ArgumentValues.diamondSchedulePolicy(text("diamond_schedule_policy")),
                text("cdc_mode"),
                bool("append_only", false),
                onExisting);
    }

    /** The bound text of a parameter; null when it was not given or given as NULL. */
    private String text(String parameter) {
        return values.get(parameter);
    }

    private boolean bool(String parameter, boolean fallback) {
        String v = text(parameter);
        return v == null ? fallback : ArgumentValues.bool(v);
    }

    private PgTrickleException noSuchFunction(String detail) {
        String args = call.arguments().stream().map(Argument::describe).collect(Collectors.joining(", "));
        return new PgTrickleException(SqlState.UNDEFINED_FUNCTION,
                "function " + PgTrickleFunction.SCHEMA + "." + call.function().sqlName() + "(" + args
                        + ") does not exist",
                detail,
                "No function matches the given name and argument types. The signature is "
                        + call.function().signature() + ".");
    }
}
