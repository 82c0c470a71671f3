package io.pgtrickle.it.harness;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which database each isolation test class got, to compare across classes within one JVM. */
final class IsolationRegistry {

    static final Map<Class<?>, String> DATABASES = new ConcurrentHashMap<>();

    private IsolationRegistry() {
    }
}
