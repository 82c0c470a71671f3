package io.pgtrickle.sql.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.sql.command.AlterStreamTable;
import io.pgtrickle.sql.command.Command;
import io.pgtrickle.sql.command.CreateStreamTable;
import io.pgtrickle.sql.command.DropStreamTable;
import io.pgtrickle.sql.command.OnExisting;
import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.command.ResumeStreamTable;
import io.pgtrickle.sql.command.Schedule;
import io.pgtrickle.sql.command.Status;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindTest {

    private static Command bind(String sql, String... params) {
        Call call = Recognizer.recognize(sql, ParameterStyle.NATIVE).orElseThrow();
        return call.bind(Arrays.asList(params));
    }

    private static PgTrickleException error(String sql, String... params) {
        try {
            bind(sql, params);
        } catch (PgTrickleException e) {
            return e;
        }
        throw new AssertionError("no error for " + sql);
    }

    @Test
    void createWithDefaults() {
        Command c = bind("SELECT pgtrickle.create_stream_table('Public.Orders', 'SELECT 1')");
        assertThat(c).isEqualTo(new CreateStreamTable(new QualifiedName("public", "orders"), "SELECT 1",
                Schedule.CALCULATED, RefreshMode.AUTO, true, null, null, null, false, OnExisting.ERROR));
    }

    @Test
    void createWithEverything() {
        CreateStreamTable c = (CreateStreamTable) bind("SELECT pgtrickle.create_or_replace_stream_table("
                + "'t', 'SELECT 1', '5m', 'differential', 'off', 'Atomic', 'slowest', 'trigger', 'yes')");
        assertThat(c.onExisting()).isEqualTo(OnExisting.REPLACE);
        assertThat(c.schedule().text()).isEqualTo("5m");
        assertThat(c.refreshMode()).isEqualTo(RefreshMode.DIFFERENTIAL);
        assertThat(c.initialize()).isFalse();
        assertThat(c.diamondConsistency()).isEqualTo("atomic");
        assertThat(c.diamondSchedulePolicy()).isEqualTo("slowest");
        assertThat(c.cdcMode()).isEqualTo("trigger");
        assertThat(c.appendOnly()).isTrue();
        assertThat(((CreateStreamTable) bind("SELECT pgtrickle.create_stream_table_if_not_exists('t', 'q')"))
                .onExisting()).isEqualTo(OnExisting.SKIP);
    }

    @Test
    void explicitNullMeansDefault() {
        CreateStreamTable c = (CreateStreamTable) bind("SELECT pgtrickle.create_stream_table('t', 'q', "
                + "schedule => NULL, refresh_mode => NULL, initialize => NULL, append_only => $1)", (String) null);
        assertThat(c.schedule()).isEqualTo(Schedule.CALCULATED);
        assertThat(c.refreshMode()).isEqualTo(RefreshMode.AUTO);
        assertThat(c.initialize()).isTrue();
        assertThat(c.appendOnly()).isFalse();
    }

    @Test
    void parametersAreBound() {
        Command c = bind("SELECT pgtrickle.create_stream_table($1, $2, refresh_mode => $3::text)",
                "\"My\".\"T\"", "SELECT * FROM x", "Full");
        CreateStreamTable create = (CreateStreamTable) c;
        assertThat(create.name()).isEqualTo(new QualifiedName("My", "T"));
        assertThat(create.query()).isEqualTo("SELECT * FROM x");
        assertThat(create.refreshMode()).isEqualTo(RefreshMode.FULL);
        Call jdbc = Recognizer.recognize("{call pgtrickle.drop_stream_table(?, ?)}", ParameterStyle.JDBC).orElseThrow();
        assertThat(jdbc.bind(List.of("x", "t"))).isEqualTo(new DropStreamTable(new QualifiedName(null, "x"), true));
        assertThatThrownBy(() -> jdbc.bind(List.of("x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherFunctions() {
        assertThat(bind("SELECT pgtrickle.alter_stream_table('t', status => 'suspended', schedule => '1h')"))
                .isEqualTo(new AlterStreamTable(new QualifiedName(null, "t"), null, Schedule.parse("1h"), null,
                        Status.SUSPENDED, null, null));
        assertThat(bind("SELECT pgtrickle.alter_stream_table('t')"))
                .isEqualTo(new AlterStreamTable(new QualifiedName(null, "t"), null, null, null, null, null, null));
        assertThat(bind("SELECT pgtrickle.alter_stream_table('t', diamond_consistency => ' NONE', "
                + "diamond_schedule_policy => 'Fastest')"))
                .isEqualTo(new AlterStreamTable(new QualifiedName(null, "t"), null, null, null, null, "none", "fastest"));
        assertThat(bind("CALL pgtrickle.drop_stream_table('t')"))
                .isEqualTo(new DropStreamTable(new QualifiedName(null, "t"), false));
        assertThat(bind("SELECT pgtrickle.drop_stream_table('t', cascade => TRUE)"))
                .isEqualTo(new DropStreamTable(new QualifiedName(null, "t"), true));
        assertThat(bind("SELECT pgtrickle.refresh_stream_table('s.t')"))
                .isEqualTo(new RefreshStreamTable(new QualifiedName("s", "t")));
        assertThat(bind("SELECT pgtrickle.resume_stream_table('t')"))
                .isEqualTo(new ResumeStreamTable(new QualifiedName(null, "t")));
    }

    @Test
    void signatureMismatchesAre42883() {
        PgTrickleException unknown = error("SELECT pgtrickle.create_stream_table('t', 'q', bogus => 1)");
        assertThat(unknown.sqlState()).isEqualTo(SqlState.UNDEFINED_FUNCTION);
        assertThat(unknown.getMessage()).isEqualTo(
                "function pgtrickle.create_stream_table(unknown, unknown, bogus => integer) does not exist");
        assertThat(unknown.hint()).contains("pgtrickle.create_stream_table(name text, query text, "
                + "schedule text DEFAULT 'calculated'");
        assertThat(error("SELECT pgtrickle.refresh_stream_table('t', 'u')").sqlState())
                .isEqualTo(SqlState.UNDEFINED_FUNCTION);
        assertThat(error("SELECT pgtrickle.create_stream_table('t')").detail()).contains("\"query\"");
        assertThat(error("SELECT pgtrickle.refresh_stream_table()").sqlState()).isEqualTo(SqlState.UNDEFINED_FUNCTION);
        assertThat(error("SELECT pgtrickle.refresh_stream_table('t', name => 'u')").sqlState())
                .isEqualTo(SqlState.UNDEFINED_FUNCTION);
        assertThat(error("SELECT pgtrickle.alter_stream_table('t', initialize => true)").sqlState())
                .isEqualTo(SqlState.UNDEFINED_FUNCTION);
    }

    @Test
    void invalidValues() {
        assertThat(error("SELECT pgtrickle.refresh_stream_table(NULL)").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(error("SELECT pgtrickle.refresh_stream_table('  ')").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(error("SELECT pgtrickle.refresh_stream_table('a.b.c.d')").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(error("SELECT pgtrickle.create_stream_table('t', NULL)").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(error("SELECT pgtrickle.create_stream_table('t', $$ $$)").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        PgTrickleException diamond = error("SELECT pgtrickle.create_stream_table('t', 'q', diamond_consistency => 'shared')");
        assertThat(diamond.sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(diamond.hint()).contains("atomic", "none");
        assertThat(error("SELECT pgtrickle.alter_stream_table('t', diamond_schedule_policy => 'soonest')").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        PgTrickleException mode = error("SELECT pgtrickle.create_stream_table('t', 'q', refresh_mode => 'fast')");
        assertThat(mode.sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(mode.hint()).contains("FULL", "DIFFERENTIAL", "IMMEDIATE", "AUTO");
        assertThat(error("SELECT pgtrickle.create_stream_table('t', 'q', '0s')").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        assertThat(error("SELECT pgtrickle.alter_stream_table('t', status => 'ERROR')").sqlState())
                .isEqualTo(SqlState.INVALID_PARAMETER_VALUE);
        PgTrickleException bool = error("SELECT pgtrickle.drop_stream_table('t', 'maybe')");
        assertThat(bool.sqlState()).isEqualTo(SqlState.INVALID_TEXT_REPRESENTATION);
        assertThat(bool.getMessage()).isEqualTo("invalid input syntax for type boolean: \"maybe\"");
    }

    @Test
    void booleans() {
        for (String t : List.of("true", "T", " yes ", "Y", "on", "1")) {
            assertThat(ArgumentValues.bool(t)).as(t).isTrue();
        }
        for (String f : List.of("false", "f", "NO", "n", "OFF", "0")) {
            assertThat(ArgumentValues.bool(f)).as(f).isFalse();
        }
    }
}
