// node-postgres through the pgtrickle proxy: node node_pg_client.js MODE HOST PORT DBNAME USER
//   MODE passthrough: parameterised queries (extended protocol), named statements, a simple-protocol
//                     multi-statement string, an error and recovery, LISTEN/NOTIFY
//   MODE calls:       create a stream table with a parameterised call (extended protocol), read it, drop it
// Prints one line per step; exits 1 with the error at the first step that does not hold.
'use strict';
const assert = require('assert');
const { Client } = require('pg');

const [mode, host, port, database, user] = process.argv.slice(2);

function step(name) {
  console.log('ok ' + name);
}

async function passthrough(client) {
  await client.query('CREATE TABLE node_src (id int PRIMARY KEY, v text)');
  for (let i = 1; i <= 20; i++) {
    await client.query('INSERT INTO node_src VALUES ($1, $2)', [i, 'v' + i]);
  }
  let r = await client.query('SELECT count(*)::int AS c, max(v) AS m FROM node_src WHERE id > $1', [10]);
  assert.deepStrictEqual(r.rows, [{ c: 10, m: 'v20' }]);
  step('parameterised');

  for (let i = 0; i < 5; i++) {
    r = await client.query({ name: 'by_id', text: 'SELECT v FROM node_src WHERE id = $1', values: [i + 1] });
    assert.strictEqual(r.rows[0].v, 'v' + (i + 1));
  }
  step('named statement');

  // queries sent back to back without waiting: node-postgres queues them, the proxy must keep order
  const all = await Promise.all([1, 2, 3, 4, 5].map((i) =>
    client.query({ text: 'SELECT $1::int * 10 AS x', values: [i], rowMode: 'array' })));
  assert.deepStrictEqual(all.map((x) => x.rows[0][0]), [10, 20, 30, 40, 50]);
  step('pipelined');

  const multi = await client.query('BEGIN; UPDATE node_src SET v = upper(v) WHERE id = 1; COMMIT; SELECT v FROM node_src WHERE id = 1');
  assert.ok(Array.isArray(multi));
  assert.strictEqual(multi[3].rows[0].v, 'V1');
  step('multi-statement');

  await assert.rejects(client.query('SELECT $1::int / 0', [1]), (e) => e.code === '22012');
  r = await client.query('SELECT $1::text AS back', ['fine']);
  assert.strictEqual(r.rows[0].back, 'fine');
  step('error and recovery');

  const other = new Client({ host, port: Number(port), database, user });
  await other.connect();
  const got = new Promise((resolve) => other.on('notification', resolve));
  await other.query('LISTEN node_channel');
  await client.query("SELECT pg_notify('node_channel', $1)", ['hello']);
  const n = await got;
  assert.strictEqual(n.payload, 'hello');
  await other.end();
  step('notify');
}

async function calls(client) {
  await client.query('CREATE TABLE node_call_src (id int PRIMARY KEY, v text)');
  await client.query("INSERT INTO node_call_src SELECT g, 'v' || g FROM generate_series(1, 10) g");
  await client.query('SELECT pgtrickle.create_stream_table($1, $2, $3, $4)',
    ['node_st', 'SELECT id, v FROM node_call_src', '1m', 'FULL']);
  step('create_stream_table');
  const r = await client.query('SELECT count(*)::int AS c FROM node_st WHERE id <= $1', [5]);
  assert.strictEqual(r.rows[0].c, 5);
  step('read');
  await client.query('SELECT pgtrickle.drop_stream_table($1)', ['node_st']);
  const gone = await client.query("SELECT to_regclass('node_st') IS NULL AS gone, (SELECT count(*)::int FROM pgtrickle.pgt_stream_tables) AS c");
  assert.deepStrictEqual(gone.rows, [{ gone: true, c: 0 }]);
  step('drop_stream_table');
}

(async () => {
  const client = new Client({ host, port: Number(port), database, user, connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    if (mode === 'passthrough') {
      await passthrough(client);
    } else if (mode === 'calls') {
      await calls(client);
    } else {
      throw new Error('unknown mode ' + mode);
    }
  } finally {
    await client.end();
  }
  console.log('done');
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  if (e && e.code) {
    console.error('SQLSTATE ' + e.code);
  }
  process.exit(1);
});
