package io.pgtrickle.sql.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One result row, every value in PostgreSQL's text form (null for SQL NULL). */
public final class Row {
    private final Map<String, Integer> index;
    private final List<String> values;

    private Row(Map<String, Integer> index, List<String> values) {
        this.index = index;
        this.values = values;
    }

    /** Rows of a result with these column names (the first of duplicate names wins for get(name)). */
    public static List<Row> all(List<String> columns, List<List<String>> values) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.putIfAbsent(columns.get(i), i);
        }
        List<Row> rows = new ArrayList<>(values.size());
        for (List<String> v : values) {
            rows.add(new Row(index, v));
        }
        return rows;
    }

    public String get(String column) {
        Integer i = index.get(column);
        if (i == null) {
            throw new IllegalArgumentException("no column " + column + " in " + index.keySet());
        }
        return values.get(i);
    }

    public String get(int position) {
        return values.get(position);
    }

    public long getLong(String column) {
        return Long.parseLong(get(column));
    }

    public boolean getBoolean(String column) {
        return "t".equals(get(column)) || "true".equals(get(column));
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
