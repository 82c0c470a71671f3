package io.pgtrickle.sql.catalog;

import io.pgtrickle.sql.command.Identifiers;
import java.util.List;

/**
 * A relation a defining query reads, after views are expanded to what they read: its kind decides
 * whether changes can be captured (tables and stream tables can; materialized views and foreign
 * tables cannot, so their readers always refresh fully).
 */
public record Source(long relid, String schema, String name, Type type, List<String> columns) {

    public enum Type { TABLE, STREAM_TABLE, VIEW, MATVIEW, FOREIGN_TABLE }

    public boolean capturable() {
        return type == Type.TABLE || type == Type.STREAM_TABLE;
    }

    public String quotedName() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }
}
