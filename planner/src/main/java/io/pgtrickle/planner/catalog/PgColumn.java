package io.pgtrickle.planner.catalog;

/**
 * A column as PostgreSQL describes it.
 *
 * @param name the column name, exactly as stored (case-sensitive)
 * @param type the type as {@code format_type(atttypid, atttypmod)} prints it: {@code integer},
 *     {@code numeric(10,2)}, {@code character varying(20)}, {@code timestamp with time zone}, {@code text[]}
 * @param notNull whether the column is NOT NULL
 */
public record PgColumn(String name, String type, boolean notNull) {
}
