package io.pgtrickle.it.harness;

/** One of two classes running {@link DatabaseIsolationContract}. */
class DatabaseIsolationFirstTest extends DatabaseIsolationContract {
}
