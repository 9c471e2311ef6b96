/**
 * The peer baseline's server: PouchDB 9 (leveldb) behind express-pouchdb in its own Node process
 * on 127.0.0.1, like a CouchDB a PouchDB client replicates from. Driven over IPC by bench/sync.ts.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PouchDB = require('pouchdb');
const expressPouchDB = require('express-pouchdb');
// express-pouchdb brings its own express@4; the project's express@5 is not what it was written for.
const express = require(require.resolve('express', { paths: [require.resolve('express-pouchdb')] }));

const dataDir = process.argv[2];
const ServerPouch = PouchDB.defaults({ prefix: `${dataDir}/` });
const app = express();
app.use('/', expressPouchDB(ServerPouch, { mode: 'minimumForPouchDB', logPath: `${dataDir}/log.txt` }));
const server = app.listen(0, '127.0.0.1', () => {
  process.send({ ready: `http://127.0.0.1:${server.address().port}` });
});

process.on('message', (msg) => {
  void handle(msg).then(
    (result) => process.send({ id: msg.id, result }),
    (err) => process.send({ id: msg.id, error: String(err?.stack ?? err) }),
  );
});

/** Seeds `docs` into a fresh database `db` in batches (not timed). */
async function handle(msg) {
  if (msg.op === 'seed') {
    const db = new ServerPouch(msg.db);
    for (let i = 0; i < msg.docs.length; i += 1000) {
      await db.bulkDocs(msg.docs.slice(i, i + 1000));
    }
    return (await db.info()).doc_count;
  }
  if (msg.op === 'stop') {
    server.close();
    setImmediate(() => process.exit(0));
    return true;
  }
  throw new Error(`unknown op ${msg.op}`);
}
