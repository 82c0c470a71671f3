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

    @Test
    void likeAsAViewPrintsItIsAComparison() {
        assertThat(CalciteMask.mask("WHERE (name ~~ 'a%'::text) AND (s !~~* 'b')"))
                .isEqualTo("WHERE (name <> 'a%'::text) AND (s <>   'b')");
    }

    @Test
    void intervalsOfOneQuantityBecomeSqlIntervals() {
        assertThat(CalciteMask.mask("d <= date '1998-12-01' - interval '90 days' AND e < INTERVAL '1 year' + x"))
                .isEqualTo("d <= date '1998-12-01' - interval '90'  DAY AND e < INTERVAL '1' YEAR + x");
        assertThat(CalciteMask.mask("interval '3 months', interval '2 weeks', interval '-1 hour'"))
                .isEqualTo("interval '3'  MONTH, interval '14'  DAY, interval '-1' HOUR");
        // a mask longer than the literal is not made: Calcite reads it as it is (and refuses it)
        assertThat(CalciteMask.mask("interval '3 mons'")).isEqualTo("interval '3 mons'");
        String other = "SELECT interval '1 day 02:00', interval '90' day, 'interval' '1 day', \"interval\" '2 days'";
        assertThat(CalciteMask.mask(other)).isEqualTo(other);
    }

    @Property
    void theMaskIsAsLongAsTheQuery(@ForAll String sql) {
        assertThat(CalciteMask.mask(sql)).hasSize(sql.length());
    }
}
