package io.pgtrickle.proxy.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of the real process. SIGINT (Ctrl-C) and SIGTERM are trapped, so instead of the JVM's
 * own shutdown the main thread wakes up, stops the relay and then the embedded server in that order,
 * and the process exits with status 0. A shutdown hook does the same cleanup when the JVM exits any
 * other way (SIGHUP, {@code System.exit} elsewhere); the cleanup is idempotent.
 *
 * <p>The signals are trapped through {@code sun.misc.Signal} (module jdk.unsupported), reached by
 * reflection so the build stays free of "internal proprietary API" warnings. Where it is missing or
 * refuses a signal (Windows has no SIGTERM; {@code -Xrs}), only the shutdown hook remains: everything
 * is still stopped cleanly, but the exit status is then the JVM's (130/143).
 */
public final class JvmLifecycle implements Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(JvmLifecycle.class);

    private final CountDownLatch stop = new CountDownLatch(1);

    /** Traps SIGINT and SIGTERM from now on. */
    public JvmLifecycle() {
        trap("INT");
        trap("TERM");
    }

    @Override
    public void registerCleanup(Runnable cleanup) {
        Runtime.getRuntime().addShutdownHook(new Thread(cleanup, "pgtrickle-shutdown"));
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    private void trap(String name) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            InvocationHandler onSignal = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    LOG.info("SIG{} received, shutting down", name);
                    stop.countDown();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "pgtrickle signal handler";
            };
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("cannot trap SIG{}; the shutdown hook alone stops the proxy", name, e);
        }
    }
}
