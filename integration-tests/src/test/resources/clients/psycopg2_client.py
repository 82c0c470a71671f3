"""psycopg2 through the pgtrickle proxy: usage psycopg2_client.py HOST PORT DBNAME USER

psycopg2 speaks the simple protocol and interpolates parameters on the client side, so a
parameterised pgtrickle call reaches the proxy as one Query message. Prints one line per step and
exits non-zero (with a traceback) at the first step that does not hold.
"""
import io
import sys

import psycopg2
import psycopg2.extras

host, port, dbname, user = sys.argv[1:5]
conn = psycopg2.connect(host=host, port=int(port), dbname=dbname, user=user, connect_timeout=10,
                        application_name="psycopg2 through pgtrickle")
cur = conn.cursor()


def step(name):
    print("ok " + name, flush=True)


cur.execute("CREATE TABLE py_src (id int PRIMARY KEY, v text, n numeric)")
psycopg2.extras.execute_values(cur, "INSERT INTO py_src VALUES %s",
                               [(i, "value %d" % i, i * 1.5) for i in range(1, 101)])
cur.executemany("INSERT INTO py_src VALUES (%s, %s, %s)", [(1000, "it's quoted", None), (1001, "ü ☃", 2)])
conn.commit()
step("source")

# the call: psycopg2 is in a transaction already (it sent BEGIN); the call joins it
cur.execute("SELECT pgtrickle.create_stream_table(%s, %s, %s, %s)",
            ("py_st", "SELECT id, v, n FROM py_src WHERE id <= 1000", "1m", "FULL"))
assert cur.fetchone() is not None
conn.commit()
step("create_stream_table")

cur.execute("SELECT count(*), sum(id), max(v) FILTER (WHERE id = 1000) FROM py_st")
count, total, quoted = cur.fetchone()
assert (count, total, quoted) == (101, 5050 + 1000, "it's quoted"), (count, total, quoted)
conn.commit()
step("read %d rows" % count)

# pass-through pieces: COPY both ways, a server-side (named) cursor, a notice, an error and recovery
buf = io.StringIO()
cur.copy_expert("COPY (SELECT id, v FROM py_st WHERE id <= 3 ORDER BY id) TO STDOUT WITH (FORMAT csv)", buf)
assert buf.getvalue() == "1,value 1\n2,value 2\n3,value 3\n", buf.getvalue()
cur.execute("CREATE TEMP TABLE py_copy (a int, b text)")
cur.copy_expert("COPY py_copy FROM STDIN WITH (FORMAT csv)", io.StringIO("1,x\n2,y\n"))
cur.execute("SELECT count(*) FROM py_copy")
assert cur.fetchone()[0] == 2
conn.commit()
step("copy")

named = conn.cursor(name="py_named_cursor")
named.itersize = 7
named.execute("SELECT g FROM generate_series(1, 50) g")
assert sum(1 for _ in named) == 50
named.close()
conn.commit()
step("named cursor")

cur.execute("DO $$ BEGIN RAISE NOTICE 'notice through the proxy'; END $$")
assert any("notice through the proxy" in n for n in conn.notices), conn.notices
try:
    cur.execute("SELECT 1/0")
    raise AssertionError("no error")
except psycopg2.errors.DivisionByZero as e:
    assert e.pgcode == "22012"
conn.rollback()
step("notice and error")

cur.execute("SELECT pgtrickle.drop_stream_table(%s)", ("py_st",))
conn.commit()
cur.execute("SELECT to_regclass('py_st') IS NULL, (SELECT count(*) FROM pgtrickle.pgt_stream_tables)")
assert cur.fetchone() == (True, 0)
conn.commit()
step("drop_stream_table")
conn.close()
print("done", flush=True)
