package io.pgtrickle.proxy.cli;

/** How the running command learns that it has to stop, and how it cleans up if the JVM exits anyway. */
public interface Lifecycle {

    /** Registers cleanup that runs if the JVM exits without {@link #awaitStop()} returning first. */
    void registerCleanup(Runnable cleanup);

    /** Blocks until the process is asked to stop (Ctrl-C, SIGTERM). */
    void awaitStop() throws InterruptedException;
}
