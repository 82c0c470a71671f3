package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CalciteMaskTest {

    @Test
    void jsonbOperatorsBecomeConcatenationAndBooleanOnesComparisons() {
        assertThat(CalciteMask.mask("SELECT p ->> 'k', p -> 'a' #>> '{b}', p #> '{c}' FROM t WHERE p ? 'k' AND p @> '{}'"))
                .isEqualTo("SELECT p ||  'k', p || 'a' ||  '{b}', p || '{c}' FROM t WHERE p = 'k' AND p <> '{}'");
    }

    @Test
    void stringsCommentsAndQuotedNamesAreLeftAlone() {
        String sql = "SELECT '->>' AS \"a->b\", $$?$$ -- p -> q\nFROM t /* @> */";
        assertThat(CalciteMask.mask(sql)).isSameAs(sql);
    }

    @Test
    void otherOperatorsAreKept() {
        String sql = "SELECT a || b, a <> b, a <= b, x::int FROM t WHERE a ~ 'x'";
        assertThat(CalciteMask.mask(sql)).isEqualTo(sql);
    }

    @Property
    void theMaskIsAsLongAsTheQuery(@ForAll String sql) {
        assertThat(CalciteMask.mask(sql)).hasSize(sql.length());
    }
}
