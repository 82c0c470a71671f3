package io.pgtrickle.sql.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.sql.command.Identifiers;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any string survives every literal style the recogniser reads. */
class RecognizerPropertiesTest {

    @Provide
    Arbitrary<String> values() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(1, 0x7F)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0xE9, 0x4E2D, 0x1F600, 0x00A0, 0x2028)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of((int) '\'', (int) '\\', (int) '$', (int) '"', (int) ';')));
        return codePoints.list().ofMaxSize(40).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    @Property(tries = 1000)
    void everyLiteralStyleDecodesBack(@ForAll("values") String s) {
        for (String literal : new String[] {standard(s), escape(s), unicode(s, '\\'), unicode(s, '!'),
            dollar(s), Identifiers.literal(s)}) {
            String sql = "SELECT pgtrickle.refresh_stream_table(" + literal + ")";
            Optional<Call> call = Recognizer.recognize(sql, ParameterStyle.NATIVE);
            assertThat(call).as(sql).isPresent();
            assertThat(call.get().arguments().get(0).value()).as(sql).isEqualTo(new ArgumentValue.Literal(s));
            assertThat(Recognizer.recognize(sql.replace("refresh_stream_table(", "refresh_stream_table(?, "),
                    ParameterStyle.JDBC)).as(sql).isPresent();
        }
    }

    private static String standard(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("E'");
        s.codePoints().forEach(cp -> {
            if (cp == '\'' || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp > 0x7F) {
                b.append(String.format("\\U%08X", cp));
            } else if (cp < 0x20) {
                b.append(String.format("\\x%02x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('\'').toString();
    }

    private static String unicode(String s, char escapeChar) {
        StringBuilder b = new StringBuilder("U&'");
        s.codePoints().forEach(cp -> {
            if (cp == escapeChar) {
                b.append(escapeChar).append(escapeChar);
            } else if (cp == '\'') {
                b.append("''");
            } else if (cp > 0x7F) {
                b.append(escapeChar).append(cp > 0xFFFF ? String.format("+%06X", cp) : String.format("%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        b.append('\'');
        return escapeChar == '\\' ? b.toString() : b + " UESCAPE '" + escapeChar + "'";
    }

    private static String dollar(String s) {
        String tag = "$t$";
        // the closing tag must first occur where it is put, also when s ends with part of it
        for (int i = 0; (s + tag).indexOf(tag) != s.length(); i++) {
            tag = "$t" + i + "$";
        }
        return tag + s + tag;
    }
}
