package io.pgtrickle.it.harness;

/** One of two classes running {@link DatabaseIsolationContract}. */
class DatabaseIsolationSecondTest extends DatabaseIsolationContract {
}
