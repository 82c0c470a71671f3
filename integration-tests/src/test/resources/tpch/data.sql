SELECT setseed(0.42);

-- Deterministic, small-scale TPC-H data generator (plain SQL, no dbgen).
--
-- Sizes: 5 regions, 25 nations, 100 suppliers, 400 parts, 1600 partsupp
-- (4 suppliers per part), 600 customers, 3000 orders, ~12000 lineitems
-- (1..7 per order).
--
-- Determinism: every random() call happens in a single-table scan over
-- generate_series or over the temporary table tpch_gen_orders (scanned in
-- insertion order), so the sequence of random() calls is fixed once the seed
-- is set. Random draws are made in an inner subquery fenced with OFFSET 0 so
-- the outer query can use the same drawn value several times.
--
-- A few rows are "planted" deterministically so that every query of the kit
-- has a non-empty, meaningful result:
--   p_partkey % 50 = 15 : p_size 15, p_type '... BRASS'             (Q2)
--   p_partkey % 50 = 12 : Brand#12, SM CASE, p_size 1..5             (Q19)
--   p_partkey % 50 = 23 : Brand#23, MED BOX, p_size 1..10            (Q17, Q19)
--   p_partkey % 50 = 34 : Brand#34, LG BOX,  p_size 1..15            (Q19)
--   p_partkey % 50 = 18 : p_type 'ECONOMY ANODIZED STEEL'            (Q8)
--   p_partkey % 10 = 9  : p_name starts with 'forest'                (Q20)
--   s_nationkey = (7*(s_suppkey-1) + (s_suppkey-1)/25) % 25 : exactly 4 suppliers
--       per nation, and the 4 suppliers of every part are in 4 different nations
--   s_suppkey % 25 = 7  : s_comment contains 'Customer ... Complaints' (Q16)
--   c_custkey % 3 = 0   : customer never gets an order               (Q13, Q22)
--   o_orderkey % 100 = 50 : 7 lineitems with quantity 44..50          (Q18)

-- ---------------------------------------------------------------- region
INSERT INTO region (r_regionkey, r_name, r_comment) VALUES
    (0, 'AFRICA',      'lar deposits. blithely final packages cajole'),
    (1, 'AMERICA',     'hs use ironic, even requests. s'),
    (2, 'ASIA',        'ges. thinly even pinto beans ca'),
    (3, 'EUROPE',      'ly final courts cajole furiously final excuse'),
    (4, 'MIDDLE EAST', 'uickly special accounts cajole carefully blithely');

-- ---------------------------------------------------------------- nation
INSERT INTO nation (n_nationkey, n_name, n_regionkey, n_comment) VALUES
    ( 0, 'ALGERIA',        0, 'haggle carefully final deposits'),
    ( 1, 'ARGENTINA',      1, 'al foxes promise slyly according to the regular accounts'),
    ( 2, 'BRAZIL',         1, 'y alongside of the pending deposits'),
    ( 3, 'CANADA',         1, 'eas hang ironic, silent packages'),
    ( 4, 'EGYPT',          4, 'y above the carefully unusual theodolites'),
    ( 5, 'ETHIOPIA',       0, 'ven packages wake quickly'),
    ( 6, 'FRANCE',         3, 'refully final requests'),
    ( 7, 'GERMANY',        3, 'l platelets. regular accounts x-ray'),
    ( 8, 'INDIA',          2, 'ss excuses cajole slyly across the packages'),
    ( 9, 'INDONESIA',      2, 'slyly express asymptotes'),
    (10, 'IRAN',           4, 'efully alongside of the slyly final dependencies'),
    (11, 'IRAQ',           4, 'nic deposits boost atop the quickly final requests'),
    (12, 'JAPAN',          2, 'ously. final, express gifts cajole a'),
    (13, 'JORDAN',         4, 'ic deposits are blithely about the carefully regular sa'),
    (14, 'KENYA',          0, 'pending excuses haggle furiously deposits'),
    (15, 'MOROCCO',        0, 'rns. blithely bold courts among the closely regular packages'),
    (16, 'MOZAMBIQUE',     0, 's. ironic, unusual asymptotes wake blithely r'),
    (17, 'PERU',           1, 'platelets. blithely pending dependencies use fluffily'),
    (18, 'CHINA',          2, 'c dependencies. furiously express notornis sleep slyly'),
    (19, 'ROMANIA',        3, 'ular asymptotes are about the furious multipliers'),
    (20, 'SAUDI ARABIA',   4, 'ts. silent requests haggle. closely express packages'),
    (21, 'VIETNAM',        2, 'hely enticingly express accounts'),
    (22, 'RUSSIA',         3, 'requests against the platelets use never according to the'),
    (23, 'UNITED KINGDOM', 3, 'eans boost carefully special requests'),
    (24, 'UNITED STATES',  1, 'y final packages. slow foxes cajole quickly');

-- ---------------------------------------------------------------- supplier
INSERT INTO supplier (s_suppkey, s_name, s_address, s_nationkey, s_phone, s_acctbal, s_comment)
SELECT k,
       'Supplier#' || lpad(k::text, 9, '0'),
       substr(md5('supplier-address-' || k), 1, 10 + r_addr),
       nk,
       (nk + 10)::text || '-' || (100 + r_p1) || '-' || (100 + r_p2) || '-' || (1000 + r_p3),
       round((r_bal * 10998.98 - 999.99)::numeric, 2),
       CASE
         WHEN k % 25 = 7  THEN left(w1 || ' Customer ' || w2 || ' Complaints ' || w3, 100)
         WHEN k % 25 = 13 THEN left(w1 || ' Customer ' || w2 || ' Recommends ' || w3, 100)
         ELSE left(w1 || ' ' || w2 || ' ' || w3 || ' ' || w4, 100)
       END
FROM (
    SELECT g AS k,
           (7 * (g - 1) + (g - 1) / 25) % 25 AS nk,
           floor(random() * 20)::int  AS r_addr,
           floor(random() * 900)::int AS r_p1,
           floor(random() * 900)::int AS r_p2,
           floor(random() * 9000)::int AS r_p3,
           random() AS r_bal,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w1,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w2,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w3,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w4
    FROM generate_series(1, 100) AS g,
         (SELECT ARRAY['carefully','quickly','final','regular','express','ironic',
                       'pending','bold','furious','even','slyly','blithely','deposits',
                       'accounts','packages','foxes','ideas','theodolites','pinto',
                       'beans','instructions','dependencies','excuses','platelets',
                       'asymptotes','courts','dolphins','sleep','wake','haggle','nag',
                       'boost','cajole','detect','integrate','along','among','across']
                 AS a) AS w
    OFFSET 0
) AS s;

-- ---------------------------------------------------------------- part
INSERT INTO part (p_partkey, p_name, p_mfgr, p_brand, p_type, p_size, p_container,
                  p_retailprice, p_comment)
SELECT k,
       CASE WHEN k % 10 = 9 THEN 'forest' ELSE c1 END || ' ' || c2 || ' ' || c3 || ' ' || c4 || ' ' || c5,
       'Manufacturer#' || m,
       CASE
         WHEN k % 50 = 12 THEN 'Brand#12'
         WHEN k % 50 = 23 THEN 'Brand#23'
         WHEN k % 50 = 34 THEN 'Brand#34'
         ELSE 'Brand#' || m || n
       END,
       CASE
         WHEN k % 50 = 18 THEN 'ECONOMY ANODIZED STEEL'
         WHEN k % 50 = 15 THEN t1 || ' ' || t2 || ' BRASS'
         ELSE t1 || ' ' || t2 || ' ' || t3
       END,
       CASE
         WHEN k % 50 = 15 THEN 15
         WHEN k % 50 = 12 THEN 1 + sz % 5
         WHEN k % 50 = 23 THEN 1 + sz % 10
         WHEN k % 50 = 34 THEN 1 + sz % 15
         ELSE 1 + sz
       END,
       CASE
         WHEN k % 50 = 12 THEN 'SM CASE'
         WHEN k % 50 = 23 THEN 'MED BOX'
         WHEN k % 50 = 34 THEN 'LG BOX'
         ELSE k1 || ' ' || k2
       END,
       ((90000 + ((k / 10) % 20001) + 100 * (k % 1000)) / 100.0)::numeric(15,2),
       left(w1 || ' ' || w2 || ' ' || w3, 22)
FROM (
    SELECT g AS k,
           co.a[1 + floor(random() * array_length(co.a, 1))::int] AS c1,
           co.a[1 + floor(random() * array_length(co.a, 1))::int] AS c2,
           co.a[1 + floor(random() * array_length(co.a, 1))::int] AS c3,
           co.a[1 + floor(random() * array_length(co.a, 1))::int] AS c4,
           co.a[1 + floor(random() * array_length(co.a, 1))::int] AS c5,
           1 + floor(random() * 5)::int AS m,
           1 + floor(random() * 5)::int AS n,
           (ARRAY['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'])[1 + floor(random() * 6)::int] AS t1,
           (ARRAY['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'])[1 + floor(random() * 5)::int] AS t2,
           (ARRAY['TIN','NICKEL','BRASS','STEEL','COPPER'])[1 + floor(random() * 5)::int] AS t3,
           floor(random() * 50)::int AS sz,
           (ARRAY['SM','LG','MED','JUMBO','WRAP'])[1 + floor(random() * 5)::int] AS k1,
           (ARRAY['CASE','BOX','BAG','JAR','PKG','PACK','CAN','DRUM'])[1 + floor(random() * 8)::int] AS k2,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes','ideas'])
               [1 + floor(random() * 15)::int] AS w1,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes','ideas'])
               [1 + floor(random() * 15)::int] AS w2,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes','ideas'])
               [1 + floor(random() * 15)::int] AS w3
    FROM generate_series(1, 400) AS g,
         (SELECT ARRAY['almond','antique','aquamarine','azure','beige','bisque','black',
                       'blanched','blue','blush','brown','burlywood','burnished','chartreuse',
                       'chiffon','chocolate','coral','cornflower','cornsilk','cream','cyan',
                       'dark','deep','dim','dodger','drab','firebrick','floral','forest',
                       'frosted','gainsboro','ghost','goldenrod','green','grey','honeydew',
                       'hot','indian','ivory','khaki','lace','lavender','lawn','lemon',
                       'light','lime','linen','magenta','maroon','medium','metallic',
                       'midnight','mint','misty','moccasin','navajo','navy','olive',
                       'orange','orchid','pale','papaya','peach','peru','pink','plum',
                       'powder','puff','purple','red','rose','rosy','royal','saddle',
                       'salmon','sandy','seashell','sienna','sky','slate','smoke','snow',
                       'spring','steel','tan','thistle','tomato','turquoise','violet',
                       'wheat','white','yellow']
                 AS a) AS co
    OFFSET 0
) AS s;

-- ---------------------------------------------------------------- partsupp
-- Supplier i (0..3) of part p follows the spec formula with S = 100:
--   ps_suppkey = (p + i * (S/4 + (p-1)/S)) % S + 1     (4 distinct suppliers)
INSERT INTO partsupp (ps_partkey, ps_suppkey, ps_availqty, ps_supplycost, ps_comment)
SELECT p,
       (p + i * (25 + (p - 1) / 100)) % 100 + 1,
       1 + floor(r_qty * 9999)::int,
       round((1.00 + r_cost * 999.00)::numeric, 2),
       'ps ' || w1 || ' ' || w2 || ' ' || w3
FROM (
    SELECT g / 4 + 1 AS p,
           g % 4     AS i,
           random()  AS r_qty,
           random()  AS r_cost,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w1,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w2,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w3
    FROM generate_series(0, 1599) AS g,
         (SELECT ARRAY['carefully','quickly','final','regular','express','ironic',
                       'pending','bold','even','slyly','deposits','accounts',
                       'packages','foxes','ideas','theodolites','instructions']
                 AS a) AS w
    OFFSET 0
) AS s;

-- ---------------------------------------------------------------- customer
INSERT INTO customer (c_custkey, c_name, c_address, c_nationkey, c_phone, c_acctbal,
                      c_mktsegment, c_comment)
SELECT k,
       'Customer#' || lpad(k::text, 9, '0'),
       substr(md5('customer-address-' || k), 1, 10 + r_addr),
       nk,
       (nk + 10)::text || '-' || (100 + r_p1) || '-' || (100 + r_p2) || '-' || (1000 + r_p3),
       round((r_bal * 10998.98 - 999.99)::numeric, 2),
       seg,
       left(w1 || ' ' || w2 || ' ' || w3 || ' ' || w4, 116)
FROM (
    SELECT g AS k,
           floor(random() * 25)::int   AS nk,
           floor(random() * 20)::int   AS r_addr,
           floor(random() * 900)::int  AS r_p1,
           floor(random() * 900)::int  AS r_p2,
           floor(random() * 9000)::int AS r_p3,
           random() AS r_bal,
           (ARRAY['AUTOMOBILE','BUILDING','FURNITURE','MACHINERY','HOUSEHOLD'])
               [1 + floor(random() * 5)::int] AS seg,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w1,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w2,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w3,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w4
    FROM generate_series(1, 600) AS g,
         (SELECT ARRAY['carefully','quickly','final','regular','express','ironic',
                       'pending','bold','furious','even','slyly','blithely','deposits',
                       'accounts','packages','foxes','ideas','theodolites','requests',
                       'asymptotes','courts','dolphins','sleep','wake','haggle']
                 AS a) AS w
    OFFSET 0
) AS s;

-- ---------------------------------------------------------------- orders (draft)
-- Order attributes are drawn first into a temporary table, o_orderstatus and
-- o_totalprice are derived from the lineitems afterwards.
DROP TABLE IF EXISTS tpch_gen_orders;
CREATE TEMPORARY TABLE tpch_gen_orders AS
SELECT k AS o_orderkey,
       -- only customers with c_custkey % 3 <> 0 place orders: index 0..399 -> 1,2,4,5,7,8,...
       (ci / 2) * 3 + ci % 2 + 1 AS o_custkey,
       date '1992-01-01' + d AS o_orderdate,
       CASE WHEN k % 100 = 50 THEN 7 ELSE nl END AS nlines,
       prio AS o_orderpriority,
       'Clerk#' || lpad(clerk::text, 9, '0') AS o_clerk,
       CASE
         WHEN rc < 0.10 THEN left(w1 || ' special ' || w2 || ' requests ' || w3, 78)
         ELSE left(w1 || ' ' || w2 || ' ' || w3 || ' ' || w4, 78)
       END AS o_comment
FROM (
    SELECT g AS k,
           floor(random() * 400)::int AS ci,
           floor(random() * ((date '1998-08-02' - date '1992-01-01') + 1))::int AS d,
           1 + floor(random() * 7)::int AS nl,
           (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])
               [1 + floor(random() * 5)::int] AS prio,
           1 + floor(random() * 1000)::int AS clerk,
           random() AS rc,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w1,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w2,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w3,
           w.a[1 + floor(random() * array_length(w.a, 1))::int] AS w4
    FROM generate_series(1, 3000) AS g,
         (SELECT ARRAY['carefully','quickly','final','regular','express','ironic',
                       'pending','bold','furious','even','slyly','blithely','deposits',
                       'accounts','packages','foxes','ideas','theodolites','pinto',
                       'beans','instructions','dependencies','excuses','platelets']
                 AS a) AS w
    OFFSET 0
) AS s;

-- ---------------------------------------------------------------- lineitem
-- shipdate = orderdate + 1..121, commitdate = orderdate + 30..90,
-- receiptdate = shipdate + 1..30, CURRENTDATE = 1995-06-17 decides
-- l_returnflag (R/A if received by then, else N) and l_linestatus
-- (O if shipped after it, else F).
INSERT INTO lineitem (l_orderkey, l_partkey, l_suppkey, l_linenumber, l_quantity,
                      l_extendedprice, l_discount, l_tax, l_returnflag, l_linestatus,
                      l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct,
                      l_shipmode, l_comment)
SELECT ok,
       pk,
       (pk + si * (25 + (pk - 1) / 100)) % 100 + 1,
       ln,
       qty,
       (qty * ((90000 + ((pk / 10) % 20001) + 100 * (pk % 1000)) / 100.0))::numeric(15,2),
       disc,
       tax,
       CASE WHEN shipdate + rd <= date '1995-06-17'
            THEN CASE WHEN rf < 0.5 THEN 'R' ELSE 'A' END
            ELSE 'N' END,
       CASE WHEN shipdate > date '1995-06-17' THEN 'O' ELSE 'F' END,
       shipdate,
       commitdate,
       shipdate + rd,
       instr,
       mode,
       left(w1 || ' ' || w2 || ' ' || w3, 43)
FROM (
    SELECT o.o_orderkey AS ok,
           ln,
           1 + floor(random() * 400)::int AS pk,
           floor(random() * 4)::int AS si,
           CASE WHEN o.o_orderkey % 100 = 50
                THEN 44 + floor(random() * 7)::int
                ELSE 1 + floor(random() * 50)::int END::numeric(15,2) AS qty,
           (floor(random() * 11)::int / 100.0)::numeric(15,2) AS disc,
           (floor(random() * 9)::int / 100.0)::numeric(15,2) AS tax,
           o.o_orderdate + (1 + floor(random() * 121)::int) AS shipdate,
           o.o_orderdate + (30 + floor(random() * 61)::int) AS commitdate,
           1 + floor(random() * 30)::int AS rd,
           random() AS rf,
           (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])
               [1 + floor(random() * 4)::int] AS instr,
           (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])
               [1 + floor(random() * 7)::int] AS mode,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes'])
               [1 + floor(random() * 14)::int] AS w1,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes'])
               [1 + floor(random() * 14)::int] AS w2,
           (ARRAY['carefully','quickly','final','regular','express','ironic','pending',
                  'bold','even','slyly','deposits','accounts','packages','foxes'])
               [1 + floor(random() * 14)::int] AS w3
    FROM tpch_gen_orders AS o
         CROSS JOIN LATERAL generate_series(1, o.nlines) AS ln
    OFFSET 0
) AS s;

INSERT INTO orders (o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate,
                    o_orderpriority, o_clerk, o_shippriority, o_comment)
SELECT o.o_orderkey,
       o.o_custkey,
       CASE WHEN l.n_f = l.n THEN 'F' WHEN l.n_f = 0 THEN 'O' ELSE 'P' END,
       l.total,
       o.o_orderdate,
       o.o_orderpriority,
       o.o_clerk,
       0,
       o.o_comment
FROM tpch_gen_orders AS o
JOIN (SELECT l_orderkey,
             count(*) AS n,
             count(*) FILTER (WHERE l_linestatus = 'F') AS n_f,
             round(sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)), 2) AS total
      FROM lineitem
      GROUP BY l_orderkey) AS l
  ON l.l_orderkey = o.o_orderkey;

DROP TABLE tpch_gen_orders;

ANALYZE region;
ANALYZE nation;
ANALYZE supplier;
ANALYZE part;
ANALYZE partsupp;
ANALYZE customer;
ANALYZE orders;
ANALYZE lineitem;
