package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The server really is the PostgreSQL major this surefire execution was configured for. */
@PgTest
class ServerVersionTest {

    @Test
    void runsOnTheExpectedMajor(TestDatabase db) throws SQLException {
        Integer expected = MajorVersionCheck.expectedMajor();
        assertThat(expected)
                .as("run through Maven, or set -D" + MajorVersionCheck.PROPERTY + "=18 (or 15)")
                .isNotNull();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(db.serverVersionNum());
        }
        assertThat(db.serverVersionNum() / 10000).isEqualTo(expected);
        assertThat(db.serverVersionNum()).isGreaterThanOrEqualTo(150000);
    }

    @Test
    void checkRejectsAnotherMajor() {
        assertThatThrownBy(() -> MajorVersionCheck.verify(15, 180003))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expects PostgreSQL 15")
                .hasMessageContaining("180003");
        assertThatThrownBy(() -> MajorVersionCheck.verify(18, 150019))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void checkAcceptsTheSameMajor() {
        assertThatNoException().isThrownBy(() -> MajorVersionCheck.verify(15, 150019));
        assertThatNoException().isThrownBy(() -> MajorVersionCheck.verify(18, 180003));
    }
}
