package io.pgtrickle.sql.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QualifiedNamesTest {

    @Test
    void valid() {
        assertThat(QualifiedNames.parse("orders")).isEqualTo(new QualifiedName(null, "orders"));
        assertThat(QualifiedNames.parse("Public.Orders")).isEqualTo(new QualifiedName("public", "orders"));
        assertThat(QualifiedNames.parse("\"Odd Name\"")).isEqualTo(new QualifiedName(null, "Odd Name"));
        assertThat(QualifiedNames.parse("\"a.b\"")).isEqualTo(new QualifiedName(null, "a.b"));
        assertThat(QualifiedNames.parse("\"sch\".\"My \"\"quoted\"\" name\""))
                .isEqualTo(new QualifiedName("sch", "My \"quoted\" name"));
        assertThat(QualifiedNames.parse(" s . n ")).isEqualTo(new QualifiedName("s", "n"));
        assertThat(QualifiedNames.parse("\"x;'y\"")).isEqualTo(new QualifiedName(null, "x;'y"));
        assertThat(QualifiedNames.parse("caf\u00c9$1")).isEqualTo(new QualifiedName(null, "caf\u00c9$1"));
        assertThat(QualifiedNames.parse("a".repeat(63)).name()).hasSize(63);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "a.b.c", "a.b.c.d", "\"", "\"abc", "\"\"", "a.", ".a", "a..b", "1abc",
        "a b", "a-b", "a;b", "s.\"\"", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
            + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
            + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"})
    void invalid(String text) {
        assertThatThrownBy(() -> QualifiedNames.parse(text)).isInstanceOfSatisfying(PgTrickleException.class,
                e -> assertThat(e.sqlState()).isEqualTo(SqlState.INVALID_PARAMETER_VALUE));
    }

    @Test
    void nullAndTooLong() {
        assertThatThrownBy(() -> QualifiedNames.parse(null)).isInstanceOf(PgTrickleException.class);
        assertThatThrownBy(() -> QualifiedNames.parse("a".repeat(64))).isInstanceOf(PgTrickleException.class);
    }
}
