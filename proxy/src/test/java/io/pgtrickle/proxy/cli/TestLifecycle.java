package io.pgtrickle.proxy.cli;

import java.util.concurrent.CountDownLatch;

/** A lifecycle the test stops by hand; cleanup is recorded instead of becoming a JVM hook. */
final class TestLifecycle implements Lifecycle {
    final CountDownLatch stop = new CountDownLatch(1);
    volatile Runnable cleanup;

    @Override
    public void registerCleanup(Runnable cleanup) {
        this.cleanup = cleanup;
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stop.await();
    }
}
