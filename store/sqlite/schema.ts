/**
 * The SQLite store's tables and indexes, and opening a store file at the current
 * schema (creating it, or migrating one from schema 2, in the opening transaction:
 * a failed migration leaves the file as it was).
 */
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { DatabaseSync } from 'node:sqlite'
import { CID } from 'multiformats/cid'
import { CorruptStoreError, NeedsRecoveryError } from '../errors.js'
import { encodeHeads } from './heads.js'

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (cid BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS nodes (seq INTEGER PRIMARY KEY, cid BLOB NOT NULL, height INTEGER NOT NULL, bytes BLOB NOT NULL, heads BLOB);
CREATE UNIQUE INDEX IF NOT EXISTS nodes_cid ON nodes (cid);
CREATE TABLE IF NOT EXISTS quads (s INTEGER, p INTEGER, o INTEGER, g INTEGER, tag INTEGER NOT NULL, PRIMARY KEY (s, p, o, g)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tags (s INTEGER, p INTEGER, o INTEGER, g INTEGER, node INTEGER, PRIMARY KEY (s, p, o, g, node)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tombstones (s INTEGER, p INTEGER, o INTEGER, g INTEGER, tag BLOB, PRIMARY KEY (s, p, o, g, tag)) WITHOUT ROWID;
`
// Every B-tree page a commit changes is a page written to the WAL (two write calls each),
// and that, not the SQL, is most of a small commit's cost. So a commit node's block lives
// in its `nodes` row (seq: the local arrival order, so a new row lands on the last page),
// found by CID through the narrow `nodes_cid` index, whose small entries rarely split a
// page; `blocks` (clustered by CID, WITHOUT ROWID) holds every other block: payloads,
// files, the manifest. The heads are kept in the newest node's row too (`heads`, see
// heads.ts), not in a table of their own that every commit would write a page of.
//
// A quad's tags: almost every quad has exactly one, so the first lives in the quads row
// (`tag`, a node's local seq) and only further ones in `tags`: a bulk import writes each
// quad once. The spog ordering is the quads table's primary key; with posg and osgp it
// answers every pattern over subject, predicate and object by a range scan: spog for
// s, sp, spo; posg for p, po; osgp for o, os.
export const CORE_INDEXES: Record<string, string> = {
  quads_posg: '(p, o, s, g)',
  quads_osgp: '(o, s, g, p)'
}
// The graph-first orderings, and ogsp for an object within a graph, exist once some quad
// is in a named graph: then gspo serves g, gs, gsp; gpos serves gp, gpo; ogsp serves og;
// osgp already serves osg and spog spog. Until then every quad is in the default graph,
// so a pattern binding the default graph is the same pattern with the graph free, and
// one binding another graph matches nothing: both are exact without these indexes, which
// a store of default-graph data never pays for, on import or on any commit.
export const GRAPH_INDEXES: Record<string, string> = {
  quads_gspo: '(g, s, p, o)',
  quads_gpos: '(g, p, o, s)',
  quads_ogsp: '(o, g, s, p)'
}
export const createSql = (indexes: Record<string, string>): string => Object.entries(indexes).map(([name, cols]) => `CREATE INDEX IF NOT EXISTS ${name} ON quads ${cols};`).join('\n')

/** The default graph's term id, reserved when the store is made. */
export const DEFAULT_GRAPH_ID = 1

/** The store's file in a database folder: its presence is what makes a folder a database. */
export const SQLITE_STORE_FILE = 'store.sqlite'

/** Whether `folder` holds a SQLite store (openGraph with `create: false` must not make one). */
export function sqliteStoreExists (folder: string): boolean {
  return existsSync(join(folder, SQLITE_STORE_FILE))
}

const SCHEMA_VERSION = '3'

/**
 * Schema 2 to 3: commit nodes' blocks moved into their `nodes` rows, the other blocks
 * into a table clustered by CID, and ogsp joined the named-graph indexes. Runs inside
 * the opening transaction, so a failed migration leaves the store at schema 2.
 */
const MIGRATE_2_TO_3 = `
CREATE TABLE nodes_v3 (seq INTEGER PRIMARY KEY, cid BLOB NOT NULL, height INTEGER NOT NULL, bytes BLOB NOT NULL, heads BLOB);
INSERT INTO nodes_v3 (seq, cid, height, bytes) SELECT n.seq, n.cid, n.height, b.bytes FROM nodes n JOIN blocks b ON b.cid = n.cid;
CREATE TABLE blocks_v3 (cid BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
INSERT INTO blocks_v3 (cid, bytes) SELECT cid, bytes FROM blocks WHERE cid NOT IN (SELECT cid FROM nodes);
DROP TABLE blocks;
DROP TABLE nodes;
ALTER TABLE blocks_v3 RENAME TO blocks;
ALTER TABLE nodes_v3 RENAME TO nodes;
UPDATE meta SET value = '3' WHERE key = 'schema';
`

/**
 * The store file as a read-only connection names it: `immutable=1`, so SQLite creates
 * no -shm or -wal file (the folder may be one this user cannot write) and takes no
 * locks of its own; the folder's shared lock (lock.ts) is what keeps writers away.
 */
export function immutableStoreFile (path: string): URL {
  const url = pathToFileURL(join(path, SQLITE_STORE_FILE))
  url.searchParams.set('immutable', '1')
  return url
}

/**
 * Opens the store file read-only, for a folder whose shared lock is held. An immutable
 * connection does not read the WAL, so a WAL with frames in it (a writer that did not
 * close) is refused, and so is an old schema (upgrading it is a write).
 */
export function openStoreFileReadOnly (Sqlite: typeof DatabaseSync, path: string, cacheKiB: number): DatabaseSync {
  const wal = statSync(join(path, `${SQLITE_STORE_FILE}-wal`), { throwIfNoEntry: false })
  if (wal !== undefined && wal.size > 0) throw new NeedsRecoveryError(path, `its write-ahead log holds ${wal.size} bytes`)
  let db: DatabaseSync | undefined
  try {
    db = new Sqlite(immutableStoreFile(path), { readOnly: true })
    db.exec(`PRAGMA cache_size = -${cacheKiB}; PRAGMA temp_store = MEMORY;`)
    const version = (db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined)?.value
    if (version !== SCHEMA_VERSION) throw new CorruptStoreError(path, `store schema ${version ?? 'unknown'} needs an upgrade, which a read-only open cannot make`)
    return db
  } catch (err) {
    db?.close()
    if (err instanceof CorruptStoreError) throw err
    throw new CorruptStoreError(path, `cannot open the store: ${(err as Error).message}`, { cause: err })
  }
}

/** Opens the store file of a database folder at the current schema; throws CorruptStoreError when it cannot. */
export function openStoreFile (Sqlite: typeof DatabaseSync, path: string, cacheKiB: number): DatabaseSync {
  let db: DatabaseSync | undefined
  try {
    db = new Sqlite(join(path, SQLITE_STORE_FILE))
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384; PRAGMA cache_size = -${cacheKiB}; PRAGMA temp_store = MEMORY;`)
    db.exec('BEGIN IMMEDIATE')
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined
    const version = hasMeta ? (db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined)?.value : undefined
    if (version === '2') {
      db.exec(MIGRATE_2_TO_3)
      // …then the heads table's rows move into the newest node's row, and it goes.
      const heads = (db.prepare('SELECT cid, height, seq FROM heads').all() as Array<{ cid: Uint8Array, height: number, seq: number }>)
        .map(r => ({ cid: CID.decode(r.cid), height: Number(r.height), seq: Number(r.seq) }))
      db.prepare('UPDATE nodes SET heads = ? WHERE seq = (SELECT max(seq) FROM nodes)').run(encodeHeads(heads))
      db.exec('DROP TABLE heads')
      // Without named graphs, ogsp is no longer kept.
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'quads_gspo'").get() === undefined) db.exec('DROP INDEX IF EXISTS quads_ogsp')
    } else if (version !== undefined && version !== SCHEMA_VERSION) {
      throw new CorruptStoreError(path, `store schema ${version} is not supported`)
    }
    // A store at the current schema has all of this (every change to it is transactional,
    // osgp's drop during a big write included): parsing it again cost a quarter of an open.
    if (version !== SCHEMA_VERSION) {
      db.exec(SCHEMA)
      db.exec(createSql(CORE_INDEXES))
      db.prepare('INSERT OR IGNORE INTO terms (id, key) VALUES (?, ?)').run(DEFAULT_GRAPH_ID, '')
      if (version === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION)
    }
    db.exec('COMMIT')
    return db
  } catch (err) {
    if (db?.isOpen === true) {
      try { db.exec('ROLLBACK') } catch {}
      db.close()
    }
    if (err instanceof CorruptStoreError) throw err
    throw new CorruptStoreError(path, `cannot open the store: ${(err as Error).message}`, { cause: err })
  }
}
