package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Four tables for the tests of queries over several tables, and a program of changes that hits every one
 * of them: rows joining new rows of another table; join keys and group keys updated on both sides;
 * deletes on both sides of a join in one window (the join trap); keys of the key side changed; NULL join
 * keys; TRUNCATE; rows that come and go within a window; a table emptied and refilled.
 */
final class OrdersFixture {
    private OrdersFixture() {
    }

    /** {@code regions} (key region), {@code customers} (key id), {@code orders} (key id), {@code items} (no key: rows repeat). */
    static void create(Connection c) throws SQLException {
        exec(c, "DROP TABLE IF EXISTS customers, orders, items, regions CASCADE",
                "CREATE TABLE regions (region text PRIMARY KEY, name text)",
                "INSERT INTO regions VALUES ('n', 'North'), ('s', 'South'), ('e', 'East')",
                "CREATE TABLE customers (id int PRIMARY KEY, region text, tier int)",
                "INSERT INTO customers SELECT g, (ARRAY['n', 's', 'e', 'w', NULL])[g % 5 + 1], g % 3 FROM generate_series(1, 20) g",
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount numeric(10,2), qty int, status text)",
                "INSERT INTO orders SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 23 END, g * 1.25, "
                        + "CASE WHEN g % 7 = 0 THEN NULL ELSE g % 5 END, (ARRAY['open', 'paid', 'void'])[g % 3 + 1] "
                        + "FROM generate_series(1, 60) g",
                "CREATE TABLE items (order_id int, sku text, n int)",
                "INSERT INTO items SELECT g % 30, (ARRAY['a', 'b', NULL])[g % 3 + 1], g % 4 FROM generate_series(1, 50) g");
    }

    /** The program: each element is one window of changes, to be followed by a refresh and the oracle. */
    static final List<String[]> CHANGES = List.of(
            new String[] {"INSERT INTO orders VALUES (101, 1, 9.99, 3, 'open'), (102, 21, 1.00, NULL, 'paid')",
                "INSERT INTO customers VALUES (21, 'n', 2), (22, NULL, 1)", "INSERT INTO items VALUES (101, 'a', 2), (101, 'a', 2)"},
            new String[] {"UPDATE orders SET customer_id = 2 WHERE customer_id = 3", // a join key moves on one side
                "UPDATE customers SET region = 's' WHERE region = 'e'", // and a group key on the other
                "UPDATE orders SET qty = qty + 1 WHERE id % 4 = 0"},
            new String[] {"DELETE FROM orders WHERE customer_id = 5", "DELETE FROM customers WHERE id = 5", // the join trap
                "DELETE FROM items WHERE order_id = 5", "DELETE FROM regions WHERE region = 'n'"},
            new String[] {"UPDATE customers SET id = id + 100 WHERE id IN (1, 2)", // join keys on the key side
                "UPDATE orders SET customer_id = 101 WHERE customer_id = 1", "INSERT INTO regions VALUES ('n', 'Nord'), ('w', 'West')",
                "UPDATE items SET order_id = 7 WHERE sku IS NULL"},
            new String[] {"UPDATE orders SET customer_id = NULL WHERE id < 10", "UPDATE customers SET region = NULL WHERE id = 4",
                "UPDATE orders SET status = 'void' WHERE id % 5 = 0", "UPDATE customers SET tier = 0 WHERE tier = 2"},
            new String[] {"TRUNCATE items", "INSERT INTO items VALUES (11, 'c', 1)", "DELETE FROM customers WHERE id = 6"},
            new String[] {"BEGIN", "INSERT INTO customers VALUES (50, 'w', 1)", "INSERT INTO orders VALUES (500, 50, 5, 5, 'paid')",
                "DELETE FROM orders WHERE id = 500", "DELETE FROM customers WHERE id = 50", "COMMIT"},
            new String[] {"DELETE FROM orders", "UPDATE customers SET tier = tier + 1"}, // emptied
            new String[] {"INSERT INTO orders SELECT g, g % 25, g, g % 3, 'open' FROM generate_series(1, 30) g",
                "INSERT INTO items SELECT g, 'a', 1 FROM generate_series(1, 30) g", "TRUNCATE regions",
                "INSERT INTO regions VALUES ('s', 'Sud')"});
}
