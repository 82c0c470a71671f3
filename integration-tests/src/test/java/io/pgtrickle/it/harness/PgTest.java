package io.pgtrickle.it.harness;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against the shared embedded PostgreSQL server, in a fresh database of its own.
 *
 * <p>Declare a {@link TestDatabase} parameter on the constructor, a {@code @BeforeAll}/{@code @BeforeEach}
 * method or a test method to get it. All of them see the same database for one test class; the database
 * is dropped after the class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PostgresExtension.class)
public @interface PgTest {
}
