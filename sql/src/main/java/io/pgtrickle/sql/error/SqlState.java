package io.pgtrickle.sql.error;

/** The SQLSTATEs of the pgtrickle contract (../shared/API.md "Errors"), named as in PostgreSQL's errcodes. */
public enum SqlState {
    SYNTAX_ERROR("42601"),
    SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION("42000"),
    FEATURE_NOT_SUPPORTED("0A000"),
    INVALID_RECURSION("3F000"),
    UNDEFINED_TABLE("42P01"),
    UNDEFINED_FUNCTION("42883"),
    DUPLICATE_TABLE("42P07"),
    INVALID_PARAMETER_VALUE("22023"),
    INVALID_TEXT_REPRESENTATION("22P02"),
    DEPENDENT_OBJECTS_STILL_EXIST("2BP01"),
    INSUFFICIENT_PRIVILEGE("42501"),
    INVALID_OBJECT_DEFINITION("42P17"),
    WRONG_OBJECT_TYPE("42809"),
    OBJECT_NOT_IN_PREREQUISITE_STATE("55000"),
    ACTIVE_SQL_TRANSACTION("25001"),
    SERIALIZATION_FAILURE("40001"),
    INTERNAL_ERROR("XX000");

    private final String code;

    SqlState(String code) {
        this.code = code;
    }

    /** The five-character code clients branch on. */
    public String code() {
        return code;
    }
}
