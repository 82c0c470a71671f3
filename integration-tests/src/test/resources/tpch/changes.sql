-- TPC-H change windows, applied one after the other on top of data.sql.
-- Windows are separated by a line containing only "-- window".
-- Plain SQL only, deterministic (no random()), no semicolons inside
-- statements, literals or comments.
--
-- W1: RF1 - insert 30 new orders (keys 3001..3030, above the generated max
--     3000) with their lineitems. Order 3010 is a large order (Q18).
--     Some orders go to customers that had no orders yet (Q13, Q22).
INSERT INTO lineitem (l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity,
                      l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus,
                      l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct,
                      l_shipmode, l_comment)
SELECT k,
       pk,
       (pk + ((k + ln) % 4) * (25 + (pk - 1) / 100)) % 100 + 1,
       ln,
       qty,
       (qty * ((90000 + ((pk / 10) % 20001) + 100 * (pk % 1000)) / 100.0))::numeric(15,2),
       (((k + ln) % 11) / 100.0)::numeric(15,2),
       (((k * 3 + ln) % 9) / 100.0)::numeric(15,2),
       CASE WHEN rcpt <= date '1995-06-17'
            THEN CASE WHEN (k + ln) % 2 = 0 THEN 'R' ELSE 'A' END
            ELSE 'N' END,
       CASE WHEN ship > date '1995-06-17' THEN 'O' ELSE 'F' END,
       ship,
       od + (30 + (k * 5 + ln * 7) % 61),
       rcpt,
       (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[1 + (k + ln) % 4],
       (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[1 + (k * 3 + ln) % 7],
       'rf1 new lineitem'
FROM (
    SELECT k, ln, pk, qty, od, ship,
           ship + (1 + (k + ln * 3) % 30) AS rcpt
    FROM (
        SELECT k, ln,
               (k * 37 + ln * 53) % 400 + 1 AS pk,
               (CASE WHEN k = 3010 THEN 43 + ln ELSE 1 + (k * 7 + ln * 13) % 50 END)::numeric(15,2) AS qty,
               date '1992-01-01' + (k * 97) % 2405 AS od,
               date '1992-01-01' + (k * 97) % 2405 + (1 + (k * 11 + ln * 17) % 121) AS ship
        FROM generate_series(3001, 3030) AS k
             CROSS JOIN LATERAL generate_series(1, CASE WHEN k = 3010 THEN 7 ELSE 1 + k % 7 END) AS ln
    ) AS a
) AS b;

INSERT INTO orders (o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate,
                    o_orderpriority, o_clerk, o_shippriority, o_comment)
SELECT l_orderkey,
       (l_orderkey * 13) % 600 + 1,
       CASE WHEN bool_and(l_linestatus = 'F') THEN 'F'
            WHEN bool_and(l_linestatus = 'O') THEN 'O'
            ELSE 'P' END,
       round(sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)), 2),
       date '1992-01-01' + (l_orderkey::int * 97) % 2405,
       (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + (l_orderkey % 5)::int],
       'Clerk#' || lpad(((l_orderkey * 7) % 1000 + 1)::text, 9, '0'),
       0,
       CASE WHEN l_orderkey % 4 = 0 THEN 'rf1 special gift requests' ELSE 'rf1 new order' END
FROM lineitem
WHERE l_orderkey BETWEEN 3001 AND 3030
GROUP BY l_orderkey;
-- window
-- W2: RF2 - delete 32 existing orders and their lineitems: every order key
--     ending in 07 (including 3007 inserted by W1) and the large order 150.
DELETE FROM lineitem
WHERE l_orderkey % 100 = 7 OR l_orderkey = 150;

DELETE FROM orders
WHERE o_orderkey % 100 = 7 OR o_orderkey = 150;
-- window
-- W3: non-key updates of the fact tables (lineitem, orders).
UPDATE lineitem
SET l_discount = CASE WHEN l_discount >= 0.10 THEN 0.00 ELSE l_discount + 0.01 END
WHERE l_orderkey % 50 = 3;

UPDATE lineitem
SET l_quantity = l_quantity + 1,
    l_extendedprice = round(l_extendedprice * (l_quantity + 1) / l_quantity, 2)
WHERE l_orderkey % 40 = 11;

UPDATE lineitem
SET l_quantity = greatest(l_quantity - 20, 1),
    l_extendedprice = round(l_extendedprice * greatest(l_quantity - 20, 1) / l_quantity, 2)
WHERE l_partkey % 50 = 23 AND l_linenumber <= 2;

UPDATE lineitem
SET l_shipdate = l_shipdate + 30,
    l_receiptdate = l_receiptdate + 30,
    l_linestatus = CASE WHEN l_shipdate + 30 > date '1995-06-17' THEN 'O' ELSE 'F' END,
    l_returnflag = CASE WHEN l_receiptdate + 30 > date '1995-06-17' THEN 'N' ELSE l_returnflag END
WHERE l_orderkey % 70 = 19;

UPDATE lineitem
SET l_shipmode = 'AIR',
    l_shipinstruct = 'DELIVER IN PERSON'
WHERE l_partkey % 50 IN (12, 23, 34) AND l_linenumber % 2 = 1;

UPDATE lineitem
SET l_commitdate = l_commitdate + 20
WHERE l_orderkey % 30 = 2;

UPDATE orders
SET o_orderpriority = '1-URGENT'
WHERE o_orderkey % 60 = 13 AND o_orderpriority <> '1-URGENT';

UPDATE orders
SET o_orderpriority = '5-LOW'
WHERE o_orderkey % 60 = 29;

UPDATE orders
SET o_comment = 'now special handling requests'
WHERE o_orderkey % 90 = 17;
-- window
-- W4: non-key updates of the dimension tables.
UPDATE customer
SET c_mktsegment = 'BUILDING'
WHERE c_custkey % 17 = 5 AND c_mktsegment <> 'BUILDING';

UPDATE customer
SET c_mktsegment = 'MACHINERY'
WHERE c_custkey % 29 = 3 AND c_mktsegment = 'BUILDING';

UPDATE customer
SET c_acctbal = c_acctbal + 500.00
WHERE c_custkey % 23 = 6;

UPDATE partsupp
SET ps_supplycost = round(ps_supplycost * 0.5, 2)
WHERE ps_partkey % 13 = 4;

UPDATE partsupp
SET ps_availqty = ps_availqty + 1000
WHERE ps_partkey % 10 = 9 AND ps_suppkey % 2 = 0;

UPDATE part
SET p_type = 'PROMO BURNISHED COPPER'
WHERE p_partkey % 31 = 2 AND p_partkey % 10 NOT IN (2, 3, 4, 5, 7);

UPDATE part
SET p_type = 'LARGE PLATED BRASS'
WHERE p_partkey = 44;

UPDATE part
SET p_type = 'ECONOMY ANODIZED STEEL'
WHERE p_partkey IN (28, 78);

UPDATE supplier
SET s_acctbal = s_acctbal + 100.00
WHERE s_suppkey % 9 = 1;

UPDATE supplier
SET s_comment = 'slyly Customer angry Complaints noted'
WHERE s_suppkey = 50;
-- window
-- W5: updates that move foreign keys: orders to another customer, lineitems
--     to another supplier of the same part, suppliers (33, 11, 76) and some
--     customers to another nation.
UPDATE orders
SET o_custkey = CASE WHEN o_custkey >= 600 THEN 1 ELSE o_custkey + 1 END
WHERE o_orderkey % 97 = 5;

UPDATE lineitem
SET l_suppkey = (SELECT min(ps.ps_suppkey)
                 FROM partsupp AS ps
                 WHERE ps.ps_partkey = lineitem.l_partkey
                   AND ps.ps_suppkey <> lineitem.l_suppkey)
WHERE l_orderkey % 53 = 8;

UPDATE supplier
SET s_nationkey = 20,
    s_phone = '30' || substring(s_phone FROM 3)
WHERE s_suppkey = 33;

UPDATE supplier
SET s_nationkey = 4,
    s_phone = '14' || substring(s_phone FROM 3)
WHERE s_suppkey = 11;

UPDATE supplier
SET s_nationkey = 24,
    s_phone = '34' || substring(s_phone FROM 3)
WHERE s_suppkey = 76;

UPDATE customer
SET c_nationkey = 7,
    c_phone = '17' || substring(c_phone FROM 3)
WHERE c_custkey % 41 = 9;
-- window
-- W6: delete customers 4, 11 and 25 together with their orders and lineitems.
DELETE FROM lineitem
WHERE l_orderkey IN (SELECT o_orderkey FROM orders WHERE o_custkey IN (4, 11, 25));

DELETE FROM orders
WHERE o_custkey IN (4, 11, 25);

DELETE FROM customer
WHERE c_custkey IN (4, 11, 25);
-- window
-- W7: re-insert deleted keys with new values: orders 107, 207, 307, 407,
--     507, 3007 and the large order 150 (deleted by W2) with their lineitems,
--     customers 4 and 11 (deleted by W6), and delete + re-insert lineitem
--     (1, 1) within the same window.
INSERT INTO customer (c_custkey, c_name, c_address, c_nationkey, c_phone, c_acctbal,
                      c_mktsegment, c_comment)
VALUES (4,  'Customer#000000004', 'reinserted address 4',  13, '23-555-123-4567', 4321.00,
        'BUILDING', 'reinserted customer with a large order'),
       (11, 'Customer#000000011', 'reinserted address 11', 19, '29-555-765-4321', 9123.45,
        'HOUSEHOLD', 'reinserted customer without orders');

INSERT INTO lineitem (l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity,
                      l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus,
                      l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct,
                      l_shipmode, l_comment)
SELECT k,
       pk,
       (pk + ((k + 2 * ln) % 4) * (25 + (pk - 1) / 100)) % 100 + 1,
       ln,
       qty,
       (qty * ((90000 + ((pk / 10) % 20001) + 100 * (pk % 1000)) / 100.0))::numeric(15,2),
       (((k + 3 * ln) % 11) / 100.0)::numeric(15,2),
       (((k + ln) % 9) / 100.0)::numeric(15,2),
       CASE WHEN rcpt <= date '1995-06-17'
            THEN CASE WHEN (k + ln) % 2 = 1 THEN 'R' ELSE 'A' END
            ELSE 'N' END,
       CASE WHEN ship > date '1995-06-17' THEN 'O' ELSE 'F' END,
       ship,
       od + (30 + (k * 3 + ln * 11) % 61),
       rcpt,
       (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[1 + (k + 3 * ln) % 4],
       (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[1 + (k + ln) % 7],
       'reinserted lineitem'
FROM (
    SELECT k, ln, pk, qty, od, ship,
           ship + (1 + (k * 7 + ln) % 30) AS rcpt
    FROM (
        SELECT k, ln,
               (k * 41 + ln * 29) % 400 + 1 AS pk,
               (CASE WHEN k = 150 THEN 43 + ln ELSE 1 + (k * 3 + ln * 19) % 50 END)::numeric(15,2) AS qty,
               date '1993-01-01' + (k * 53) % 1800 AS od,
               date '1993-01-01' + (k * 53) % 1800 + (1 + (k * 13 + ln * 23) % 121) AS ship
        FROM unnest(ARRAY[107, 150, 207, 307, 407, 507, 3007]) AS k
             CROSS JOIN LATERAL generate_series(1, CASE WHEN k = 150 THEN 7 ELSE 1 + k % 5 END) AS ln
    ) AS a
) AS b;

INSERT INTO orders (o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate,
                    o_orderpriority, o_clerk, o_shippriority, o_comment)
SELECT l_orderkey,
       CASE WHEN l_orderkey = 150 THEN 4 ELSE (l_orderkey * 17) % 600 + 1 END,
       CASE WHEN bool_and(l_linestatus = 'F') THEN 'F'
            WHEN bool_and(l_linestatus = 'O') THEN 'O'
            ELSE 'P' END,
       round(sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)), 2),
       date '1993-01-01' + (l_orderkey::int * 53) % 1800,
       (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[1 + (l_orderkey % 5)::int],
       'Clerk#' || lpad(((l_orderkey * 11) % 1000 + 1)::text, 9, '0'),
       0,
       CASE WHEN l_orderkey % 2 = 0 THEN 'reinserted special rush requests' ELSE 'reinserted order' END
FROM lineitem
WHERE l_orderkey IN (107, 150, 207, 307, 407, 507, 3007)
GROUP BY l_orderkey;

DELETE FROM lineitem
WHERE l_orderkey = 1 AND l_linenumber = 1;

INSERT INTO lineitem (l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity,
                      l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus,
                      l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct,
                      l_shipmode, l_comment)
VALUES (1, 14, 15, 1, 12.00, 10968.12, 0.07, 0.02, 'R', 'F',
        date '1992-06-10', date '1992-07-31', date '1992-06-16',
        'DELIVER IN PERSON', 'AIR', 'reinserted in the same window');
