package io.pgtrickle.sql.recognize;

/** How a statement marks its bind parameters. */
public enum ParameterStyle {
    /** PostgreSQL's own {@code $1}, {@code $2}, ... (extended query protocol, the proxy). */
    NATIVE,
    /** JDBC's {@code ?}, numbered left to right from 1 ({@code ??} is an escaped {@code ?} operator, as in pgjdbc). */
    JDBC
}
