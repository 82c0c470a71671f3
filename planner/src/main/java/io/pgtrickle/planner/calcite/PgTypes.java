package io.pgtrickle.planner.calcite;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * PostgreSQL column types (as {@code format_type} prints them) as Calcite types, for validation only:
 * the emitted SQL never carries a Calcite type. Types Calcite has no counterpart for (json, jsonb,
 * geometric, network, ranges, ...) become ANY, which validates and is passed through.
 */
final class PgTypes {
    private static final Pattern MODIFIERS = Pattern.compile("^(.*?)\\s*\\((\\d+)(?:\\s*,\\s*(\\d+))?\\)(.*)$");

    private PgTypes() {
    }

    static RelDataType of(RelDataTypeFactory f, String pgType, boolean notNull) {
        RelDataType t = base(f, pgType.trim().toLowerCase(Locale.ROOT));
        return f.createTypeWithNullability(t, !notNull);
    }

    private static RelDataType base(RelDataTypeFactory f, String type) {
        if (type.endsWith("[]")) {
            return f.createArrayType(f.createTypeWithNullability(base(f, type.substring(0, type.length() - 2)), true), -1);
        }
        Integer precision = null;
        Integer scale = null;
        Matcher m = MODIFIERS.matcher(type);
        if (m.matches()) {
            precision = Integer.valueOf(m.group(2));
            scale = m.group(3) == null ? null : Integer.valueOf(m.group(3));
            type = (m.group(1) + m.group(4)).trim();
        }
        return switch (type) {
            case "smallint", "int2" -> f.createSqlType(SqlTypeName.SMALLINT);
            case "integer", "int", "int4" -> f.createSqlType(SqlTypeName.INTEGER);
            case "bigint", "int8" -> f.createSqlType(SqlTypeName.BIGINT);
            case "real", "float4" -> f.createSqlType(SqlTypeName.REAL);
            case "double precision", "float8" -> f.createSqlType(SqlTypeName.DOUBLE);
            case "numeric", "decimal" -> precision == null ? f.createSqlType(SqlTypeName.DECIMAL)
                    : f.createSqlType(SqlTypeName.DECIMAL, precision, scale == null ? 0 : scale);
            case "boolean", "bool" -> f.createSqlType(SqlTypeName.BOOLEAN);
            case "text", "name", "character varying", "varchar" -> precision == null
                    ? f.createSqlType(SqlTypeName.VARCHAR) : f.createSqlType(SqlTypeName.VARCHAR, precision);
            case "character", "char", "bpchar" -> f.createSqlType(SqlTypeName.CHAR, precision == null ? 1 : precision);
            case "date" -> f.createSqlType(SqlTypeName.DATE);
            case "timestamp without time zone", "timestamp" -> f.createSqlType(SqlTypeName.TIMESTAMP);
            case "timestamp with time zone", "timestamptz" -> f.createSqlType(SqlTypeName.TIMESTAMP_WITH_LOCAL_TIME_ZONE);
            case "time without time zone", "time" -> f.createSqlType(SqlTypeName.TIME);
            case "bytea" -> f.createSqlType(SqlTypeName.VARBINARY);
            case "uuid" -> f.createSqlType(SqlTypeName.UUID);
            default -> f.createSqlType(SqlTypeName.ANY);
        };
    }
}
