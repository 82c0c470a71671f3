package io.pgtrickle.sql.engine;

/** A NOTICE or WARNING a call sends to the client, as PostgreSQL would (level, SQLSTATE, message, hint). */
public record Notice(Level level, String sqlState, String message, String hint) {
    public enum Level { NOTICE, WARNING, INFO }

    public static Notice notice(String sqlState, String message) {
        return new Notice(Level.NOTICE, sqlState, message, null);
    }

    public static Notice warning(String sqlState, String message, String hint) {
        return new Notice(Level.WARNING, sqlState, message, hint);
    }
}
