package io.pgtrickle.sql.recognize;

/** How a recognised call was written; front doors answer each form the way PostgreSQL would. */
public enum CallForm {
    /** {@code SELECT pgtrickle.f(...) [[AS] alias]}: one row, one column. */
    SELECT,
    /** {@code SELECT * FROM pgtrickle.f(...) [[AS] alias]}: one row, one column. */
    SELECT_FROM,
    /** {@code CALL pgtrickle.f(...)}. */
    CALL,
    /**
     * JDBC {@code {call pgtrickle.f(...)}}; pgjdbc runs it as {@code select * from f(...) as result},
     * so the result column is {@code result}.
     */
    JDBC_ESCAPE
}
