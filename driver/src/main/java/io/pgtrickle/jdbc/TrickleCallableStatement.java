package io.pgtrickle.jdbc;

import io.pgtrickle.jdbc.wrap.DelegatingCallableStatement;
import io.pgtrickle.sql.recognize.Call;
import java.sql.CallableStatement;

/** A callable statement of a {@link TrickleConnection}; pgtrickle calls work as in prepared statements. */
final class TrickleCallableStatement extends DelegatingCallableStatement<CallableStatement> {
    TrickleCallableStatement(TrickleConnection connection, CallableStatement delegate, Call call) {
        super(connection, delegate, call);
    }
}
