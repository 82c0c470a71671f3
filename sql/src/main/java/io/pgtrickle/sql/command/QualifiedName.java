package io.pgtrickle.sql.command;

/**
 * A relation name as the user wrote it, already case-folded: unquoted parts lower-cased,
 * quoted parts exact. {@code schema} is null when the user gave none (the first schema of
 * search_path applies, as for CREATE TABLE).
 */
public record QualifiedName(String schema, String name) {
    public QualifiedName {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
    }

    /** For messages: schema.name with identifiers quoted where PostgreSQL would need it. */
    @Override
    public String toString() {
        return schema == null ? Identifiers.quoteIfNeeded(name)
                : Identifiers.quoteIfNeeded(schema) + "." + Identifiers.quoteIfNeeded(name);
    }
}
