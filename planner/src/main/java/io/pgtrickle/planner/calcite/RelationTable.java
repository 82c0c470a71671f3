package io.pgtrickle.planner.calcite;

import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.util.ImmutableBitSet;

/** A relation: its columns with PostgreSQL's types, and its primary key as Calcite's unique key. */
public final class RelationTable extends AbstractTable {
    private final PgRelation relation;

    RelationTable(PgRelation relation) {
        this.relation = relation;
    }

    public PgRelation relation() {
        return relation;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory typeFactory) {
        RelDataTypeFactory.Builder b = typeFactory.builder();
        for (PgColumn c : relation.columns()) {
            b.add(c.name(), PgTypes.of(typeFactory, c.type(), c.notNull()));
        }
        return b.build();
    }

    @Override
    public Statistic getStatistic() {
        if (relation.primaryKey().isEmpty()) {
            return Statistics.UNKNOWN;
        }
        List<Integer> key = new ArrayList<>();
        for (String k : relation.primaryKey()) {
            for (int i = 0; i < relation.columns().size(); i++) {
                if (relation.columns().get(i).name().equals(k)) {
                    key.add(i);
                }
            }
        }
        return Statistics.of(100d, List.of(ImmutableBitSet.of(key)));
    }
}
