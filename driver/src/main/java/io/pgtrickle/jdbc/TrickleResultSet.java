package io.pgtrickle.jdbc;

import io.pgtrickle.jdbc.wrap.DelegatingResultSet;
import java.sql.ResultSet;
import java.sql.Statement;

/** pgjdbc's result set, pointing back at the wrapping statement. */
final class TrickleResultSet extends DelegatingResultSet {
    private final Statement statement;

    TrickleResultSet(Statement statement, ResultSet delegate) {
        super(delegate);
        this.statement = statement;
    }

    boolean wraps(ResultSet rs) {
        return delegate == rs;
    }

    @Override
    public Statement getStatement() {
        return statement;
    }
}
