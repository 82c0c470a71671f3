package io.pgtrickle.planner.calcite;

import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlDelegatingConformance;

/**
 * Babel's conformance with PostgreSQL's strict GROUP BY. Stock BABEL accepts columns that are neither
 * grouped nor aggregated and wraps ROLLUP/CUBE keys in ANY_VALUE, which gives wrong rows
 * (CALCITE_NOTES.md); PostgreSQL refuses such queries, and so must the planner.
 */
final class PgConformance extends SqlDelegatingConformance {
    static final PgConformance INSTANCE = new PgConformance();

    private PgConformance() {
        super(SqlConformanceEnum.BABEL);
    }

    @Override
    public boolean isNonStrictGroupBy() {
        return false;
    }

    @Override
    public boolean isGroupByAlias() {
        return true;
    }

    @Override
    public boolean isGroupByOrdinal() {
        return true;
    }

    @Override
    public boolean isHavingAlias() {
        return false;
    }
}
