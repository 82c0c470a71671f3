package io.pgtrickle.proxy.intercept;

import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.sql.recognize.Call;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared statements and portals of one session that are pgtrickle calls. The proxy answered
 * their Parse and Bind itself, so the server does not know them: every later message naming them
 * (Bind, Describe, Execute, Close) must be answered by the proxy too.
 */
public final class PreparedCalls {
    /** A Parse of a call: the call and the parameter types the client declared. */
    record Statement(Call call, int[] parameterTypes) {
    }

    /**
     * A Bind of such a statement: its parameter values as text and the result formats asked for; done
     * once executed (as on the server, executing it again returns no rows and never runs the call twice).
     */
    static final class Portal {
        private final Statement statement;
        private final List<String> values;
        private final Messages.BindMessage bind;
        private boolean done;

        Portal(Statement statement, List<String> values, Messages.BindMessage bind) {
            this.statement = statement;
            this.values = values;
            this.bind = bind;
        }

        Statement statement() {
            return statement;
        }

        List<String> values() {
            return values;
        }

        Messages.BindMessage bind() {
            return bind;
        }

        boolean done() {
            return done;
        }

        void markDone() {
            done = true;
        }
    }

    final Map<String, Statement> statements = new ConcurrentHashMap<>();
    final Map<String, Portal> portals = new ConcurrentHashMap<>();

    /** True when the session has no statement or portal of ours (the relay's fast path then applies). */
    public boolean isEmpty() {
        return statements.isEmpty() && portals.isEmpty();
    }

    /** True when the message names one of ours (or is a Parse of a call): it must be intercepted. */
    boolean names(Frame f) {
        switch (f.type()) {
            case 'P' -> {
                return Messages.mentions(f, "pgtrickle")
                        && io.pgtrickle.sql.frontdoor.ScriptPlan.recognize(Messages.readParse(f).query(),
                                io.pgtrickle.sql.recognize.ParameterStyle.NATIVE).isPresent();
            }
            case 'B' -> {
                return !statements.isEmpty() && statements.containsKey(Messages.bindStatement(f));
            }
            case 'D', 'C' -> {
                if (statements.isEmpty() && portals.isEmpty()) {
                    return false;
                }
                Messages.Target t = Messages.readTarget(f);
                return t.kind() == 'S' ? statements.containsKey(t.name()) : portals.containsKey(t.name());
            }
            case 'E' -> {
                return !portals.isEmpty() && portals.containsKey(Messages.readExecutePortal(f));
            }
            default -> {
                return false;
            }
        }
    }

    /** The transaction ended: its portals are gone, as on the server (statements stay). */
    public void endOfTransaction() {
        portals.clear();
    }

    /** A Parse or Bind the server gets replaces any statement or portal of ours of the same name. */
    public void forgetOnRelay(Frame f) {
        if (f.type() == 'P' && !statements.isEmpty()) {
            statements.remove(Messages.readParse(f).statement());
        } else if (f.type() == 'B' && !portals.isEmpty()) {
            portals.remove(Messages.readBind(f).portal());
        }
    }
}
