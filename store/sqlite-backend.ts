/**
 * The on-disk default backend: SQLite through Node's built-in `node:sqlite`.
 *
 * Why SQLite: measured on this project's machine (2 cores), inserting LUBM(5)-sized
 * data into six orderings plus tags, SQLite did ~110,000 quads/s against LevelDB's
 * (classic-level) ~77,000, small transactions ran at ~31,000/s against ~18,000, and
 * a full scan took 0.66 s against 1.4 s. Its transactions make a commit's blocks,
 * index changes and heads atomic, and WAL mode gives every reader a snapshot.
 * Being built into Node, it needs no native addon to install.
 *
 * Files in the database folder: `store.sqlite` (+ its -wal and -shm) holds
 * everything; `commits.log` the small writes not yet committed to it (below);
 * `lock.sqlite` is held in an exclusive transaction for the life of the process, so
 * a second process gets DatabaseLockedError instead of sharing.
 *
 * Durability: a write returns only once it is in the OS's hands, so it survives the
 * process being killed at any point; a power cut may lose the last writes but never
 * tears one. A small write (LOG_MAX_*) is applied inside a transaction left open
 * across many of them (a group) and made durable by one append to the commit log
 * (commit-log.ts); the group commits to SQLite after FLUSH_COMMITS writes, FLUSH_MS
 * after its first, or before anything needs the file current: a reader's snapshot, a bulk
 * write, close. Opening the store applies what the log holds beyond the file. Any
 * other write is its own transaction, in the WAL with synchronous=NORMAL.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { compareBytes, throwIfAborted, type DeltaChunk } from '../quad-model/index.js'
import { cidKey, cidOf, commitOf, type ClockNode, type Commit } from '../merkle-clock/index.js'
import type { Backend, BulkWrite, IdPattern, NodeRecord, Reader } from './backend.js'
import { CorruptStoreError, DatabaseLockedError, StoreClosedError, StoreWriteError } from './errors.js'
import { COMMIT_LOG_FILE, CommitLog, type LoggedCommit } from './commit-log.js'

import { loadSqlite } from './sqlite-load.js'
import { Checkpointer } from './checkpointer.js'

const SCHEMA = `
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
// HEADS below), not in a table of their own that every commit would write a page of.
//
// A quad's tags: almost every quad has exactly one, so the first lives in the quads row
// (`tag`, a node's local seq) and only further ones in `tags`: a bulk import writes each
// quad once. The spog ordering is the quads table's primary key; with posg and osgp it
// answers every pattern over subject, predicate and object by a range scan: spog for
// s, sp, spo; posg for p, po; osgp for o, os.
const CORE_INDEXES: Record<string, string> = {
  quads_posg: '(p, o, s, g)',
  quads_osgp: '(o, s, g, p)'
}
// The graph-first orderings, and ogsp for an object within a graph, exist once some quad
// is in a named graph: then gspo serves g, gs, gsp; gpos serves gp, gpo; ogsp serves og;
// osgp already serves osg and spog spog. Until then every quad is in the default graph,
// so a pattern binding the default graph is the same pattern with the graph free, and
// one binding another graph matches nothing: both are exact without these indexes, which
// a store of default-graph data never pays for, on import or on any commit.
const GRAPH_INDEXES: Record<string, string> = {
  quads_gspo: '(g, s, p, o)',
  quads_gpos: '(g, p, o, s)',
  quads_ogsp: '(o, g, s, p)'
}
const createSql = (indexes: Record<string, string>): string => Object.entries(indexes).map(([name, cols]) => `CREATE INDEX IF NOT EXISTS ${name} ON quads ${cols};`).join('\n')

/** The default graph's term id, reserved when the store is made. */
export const DEFAULT_GRAPH_ID = 1

/** The store's file in a database folder: its presence is what makes a folder a database. */
export const SQLITE_STORE_FILE = 'store.sqlite'

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
// …then the heads table's rows move into the newest node's row (by encodeHeads), and it goes.

/**
 * HEADS: the `heads` column of the node row with the highest seq holds the current heads,
 * as dag-cbor [[seq, height, CID], …]; every other row's is NULL. Heads change only when
 * nodes are added, and every transaction that adds nodes ends by moving the list to its
 * last one, on the page that its insert changed already.
 */
function encodeHeads (heads: readonly NodeRecord[]): Uint8Array {
  return dagCbor.encode(heads.map(h => [h.seq, h.height, h.cid]))
}

function decodeHeads (bytes: Uint8Array): NodeRecord[] {
  const list = dagCbor.decode(bytes) as Array<[number, number, CID]>
  return list.map(([seq, height, cid]) => ({ seq, height, cid }))
}
// A write adding more quads than this, and more than the store holds, drops osgp and
// builds it again at the end (one sort), while posg is kept live. Measured here on LUBM(5)
// in file order (625k quads): inserting with both indexes live took 1.24 s; with both
// dropped, 0.39 s + 0.99 s to build them after; with posg live and osgp rebuilt, 0.73 s +
// 0.34 s. Inserts run while the import worker is still parsing, so the live part is
// mostly hidden; the build is not. osgp is the one whose live inserts land most randomly.
const BULK_REBUILD_MIN = 50_000
const SCAN_BATCH = 1024
// Quads per multi-row INSERT: one call into SQLite per this many rows, not per row.
const QUAD_ROWS = 64
// Estimates count exactly up to this many matches, then extrapolate from a full count cached per write.
const ESTIMATE_EXACT = 5_000
// A write goes through the commit log when it is this small. A bigger one (a merge's
// batch, an import) commits a transaction of its own: it changes many pages anyway,
// and the log would write its blocks twice.
const LOG_MAX_COMMITS = 256
const LOG_MAX_BYTES = 1 << 20
const LOG_MAX_QUADS = 16_384
// The open group commits to SQLite after this many commits, this much log, or this long
// after its first write (a timer: when the event loop is free). Measured here, 4,000
// single-quad commits in a fresh process: groups of 16 gave 4,700–5,500 commits/s, 64
// gave 4,900–6,300, 256 and 1,024 5,600–6,400, 4,096 no more (one transaction each:
// ~3,700/s).
const FLUSH_COMMITS = 1024
const FLUSH_BYTES = 8 << 20
const FLUSH_MS = 50

const POSITIONS = ['s', 'p', 'o', 'g'] as const

function whereOf (pattern: IdPattern): { sql: string, args: number[], shape: number } {
  const clauses: string[] = []
  const args: number[] = []
  let shape = 0
  for (let i = 0; i < 4; i++) {
    const id = pattern[i]
    if (id !== undefined) {
      clauses.push(`${POSITIONS[i]} = ?`)
      args.push(id)
      shape |= 1 << i
    }
  }
  return { sql: clauses.length === 0 ? '' : ' WHERE ' + clauses.join(' AND '), args, shape }
}

/** Whether a write is small enough for the commit log (LOG_MAX_*). */
function isSmall (commits: readonly Commit[]): boolean {
  if (commits.length > LOG_MAX_COMMITS) return false
  let bytes = 0
  let quads = 0
  for (const commit of commits) {
    bytes += commit.node.bytes.length
    for (const p of commit.payloads) bytes += p.bytes.length
    for (const chunk of commit.chunks) quads += chunk.a.length / 4 + chunk.r.length / 5
  }
  return bytes <= LOG_MAX_BYTES && quads <= LOG_MAX_QUADS
}

function isBusy (err: unknown): boolean {
  const e = err as { errcode?: number, message?: string }
  return e.errcode === 5 || e.errcode === 6 || /database is locked|SQLITE_BUSY/i.test(e.message ?? '')
}

export interface SqliteBackendOptions {
  /** Database folder; created when missing. */
  path: string
  /** SQLite page cache per connection, in KiB. Default 65,536 (64 MiB) for the writer. */
  cacheKiB?: number
}

export class SqliteBackend implements Backend {
  readonly persistent = true
  private closed = false
  private readonly idleReaders: DatabaseSync[] = []
  private readonly stmt: Record<string, StatementSync>
  private readonly termIds = new Map<string, number>()
  private readonly termKeys = new Map<number, string>()
  private generation = 0
  private readonly estimateCache = new Map<string, number>()
  private readonly statementCache = new WeakMap<DatabaseSync, Map<string, StatementSync>>()
  private estimateGeneration = -1
  private tombstoneCount: number
  /** Whether the graph-first indexes exist (some quad is, or was, in a named graph). */
  private graphIndexes: boolean
  /**
   * The heads, sorted by CID bytes, once read: every commit needs them (as its parents,
   * and to replace them), so they are kept instead of read each time. Cleared by a rollback.
   */
  private headsCache: NodeRecord[] | undefined
  /** The node row holding the stored heads list (see HEADS). */
  private headsRow: number | undefined
  /** Whether osgp is dropped, to be built again at the end of a big write in progress. */
  private osgpDropped = false
  /** Checkpoints on a thread of their own, when the compiled worker is there. */
  private readonly checkpointer: Checkpointer | undefined
  /** The last node added by the transaction in progress: where its heads go. */
  private headsPending: number | undefined
  /** Small writes since the last group commit, durable here (see Durability above). */
  private readonly commitLog: CommitLog
  /** Whether a group's transaction is open on the writer connection. */
  private groupOpen = false
  /** Commits applied in the open group. */
  private grouped = 0
  private flushTimer: ReturnType<typeof setTimeout> | undefined
  /** A group that failed to commit: the store must be reopened (which replays the log). */
  private failure: Error | undefined

  private constructor (
    private readonly Sqlite: typeof DatabaseSync,
    readonly path: string,
    private readonly lock: DatabaseSync,
    private readonly db: DatabaseSync
  ) {
    this.checkpointer = Checkpointer.available() ? new Checkpointer(join(path, SQLITE_STORE_FILE)) : undefined
    this.commitLog = CommitLog.open(join(path, COMMIT_LOG_FILE))
    const p = (sql: string): StatementSync => db.prepare(sql)
    this.stmt = {
      getMeta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      getBlock: p('SELECT bytes FROM nodes WHERE cid = ?1 UNION ALL SELECT bytes FROM blocks WHERE cid = ?1 LIMIT 1'),
      hasBlock: p('SELECT 1 FROM nodes WHERE cid = ?1 UNION ALL SELECT 1 FROM blocks WHERE cid = ?1 LIMIT 1'),
      putBlock: p('INSERT OR IGNORE INTO blocks (cid, bytes) VALUES (?, ?)'),
      // A block that is an applied node's is in its row already.
      putOtherBlock: p('INSERT INTO blocks (cid, bytes) SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE cid = ?1) ON CONFLICT DO NOTHING'),
      // A node's block stored before it was applied moves into its row.
      dropBlock: p('DELETE FROM blocks WHERE cid = ?'),
      termId: p('SELECT id FROM terms WHERE key = ?'),
      addTerm: p('INSERT INTO terms (key) VALUES (?)'),
      addTerms: p('INSERT OR IGNORE INTO terms (key) SELECT value FROM json_each(?)'),
      termIds: p('SELECT t.id FROM json_each(?) j JOIN terms t ON t.key = j.value ORDER BY j.key'),
      node: p('SELECT seq, height FROM nodes WHERE cid = ?'),
      addNode: p('INSERT INTO nodes (cid, height, bytes) VALUES (?, ?, ?)'),
      addNodeAt: p('INSERT INTO nodes (seq, cid, height, bytes) VALUES (?, ?, ?, ?)'),
      maxSeq: p('SELECT coalesce(max(seq), 0) AS n FROM nodes'),
      heads: p('SELECT seq, heads FROM nodes ORDER BY seq DESC LIMIT 1'),
      setHeads: p('UPDATE nodes SET heads = ? WHERE seq = ?'),
      log: p('SELECT cid, height, seq FROM nodes WHERE seq < ? ORDER BY seq DESC LIMIT ?'),
      nodeCount: p('SELECT count(*) AS n FROM nodes'),
      addQuad: p('INSERT INTO quads (s, p, o, g, tag) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      addQuads: p(`INSERT INTO quads (s, p, o, g, tag) VALUES ${'(?, ?, ?, ?, ?), '.repeat(QUAD_ROWS - 1)}(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      // A further tag for a quad already there by another commit's add.
      addOtherTag: p('INSERT OR IGNORE INTO tags (s, p, o, g, node) SELECT s, p, o, g, ?5 FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4 AND tag <> ?5'),
      firstTag: p('SELECT tag FROM quads WHERE s = ? AND p = ? AND o = ? AND g = ?'),
      dropTag: p('DELETE FROM tags WHERE s = ? AND p = ? AND o = ? AND g = ? AND node = ?'),
      otherTag: p('SELECT node FROM tags WHERE s = ? AND p = ? AND o = ? AND g = ? LIMIT 1'),
      setFirstTag: p('UPDATE quads SET tag = ? WHERE s = ? AND p = ? AND o = ? AND g = ?'),
      dropQuad: p('DELETE FROM quads WHERE s = ? AND p = ? AND o = ? AND g = ?'),
      addTombstone: p('INSERT OR IGNORE INTO tombstones (s, p, o, g, tag) VALUES (?, ?, ?, ?, ?)'),
      tombstone: p('SELECT 1 FROM tombstones WHERE s = ? AND p = ? AND o = ? AND g = ? AND tag = ?'),
      tombstoneCount: p('SELECT count(*) AS n FROM tombstones'),
      count: p('SELECT count(*) AS n FROM quads'),
      tagsOf: p(`SELECT n.cid FROM (SELECT tag AS node FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4
        UNION SELECT node FROM tags WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4) t JOIN nodes n ON n.seq = t.node`)
    }
    this.stmt.termIds.setReturnArrays(true)
    this.tombstoneCount = Number((this.stmt.tombstoneCount.get() as { n: number }).n)
    this.graphIndexes = this.hasGraphIndexes()
  }

  private hasGraphIndexes (): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'quads_gspo'").get() !== undefined
  }

  /** A quad in a named graph is coming: make sure the graph-first orderings exist. */
  private needGraphIndexes (): void {
    if (this.graphIndexes) return
    this.graphIndexes = true
    this.db.exec(createSql(GRAPH_INDEXES))
  }

  private dropOsgp (): void {
    this.db.exec('DROP INDEX IF EXISTS quads_osgp')
    this.osgpDropped = true
  }

  private restoreOsgp (): void {
    if (!this.osgpDropped) return
    this.db.exec(createSql(CORE_INDEXES))
    this.osgpDropped = false
  }

  /**
   * The pattern to run, given which orderings exist: without named graphs, a bound
   * default graph is dropped and any other bound graph matches nothing (null).
   */
  normalize (pattern: IdPattern): IdPattern | null {
    const g = pattern[3]
    if (this.graphIndexes || g === undefined) return pattern
    return g === DEFAULT_GRAPH_ID ? [pattern[0], pattern[1], pattern[2], undefined] : null
  }

  static async open (options: SqliteBackendOptions): Promise<SqliteBackend> {
    const { DatabaseSync: Sqlite } = await loadSqlite()
    mkdirSync(options.path, { recursive: true })
    // The lock: an exclusive transaction held open until close or process death.
    const lock = new Sqlite(join(options.path, 'lock.sqlite'), { timeout: 0 } as object)
    try {
      lock.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;')
    } catch (err) {
      lock.close()
      if (isBusy(err)) throw new DatabaseLockedError(options.path, { cause: err })
      throw err
    }
    let db: DatabaseSync | undefined
    try {
      db = new Sqlite(join(options.path, SQLITE_STORE_FILE))
      db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 16384; PRAGMA cache_size = -${options.cacheKiB ?? 65_536}; PRAGMA temp_store = MEMORY;`)
      db.exec('BEGIN IMMEDIATE')
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined
      const version = hasMeta ? (db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as { value: string } | undefined)?.value : undefined
      if (version === '2') {
        db.exec(MIGRATE_2_TO_3)
        const heads = (db.prepare('SELECT cid, height, seq FROM heads').all() as Array<{ cid: Uint8Array, height: number, seq: number }>)
          .map(r => ({ cid: CID.decode(r.cid), height: Number(r.height), seq: Number(r.seq) }))
        db.prepare('UPDATE nodes SET heads = ? WHERE seq = (SELECT max(seq) FROM nodes)').run(encodeHeads(heads))
        db.exec('DROP TABLE heads')
        // Without named graphs, ogsp is no longer kept.
        if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'quads_gspo'").get() === undefined) db.exec('DROP INDEX IF EXISTS quads_ogsp')
      } else if (version !== undefined && version !== SCHEMA_VERSION) {
        throw new CorruptStoreError(options.path, `store schema ${version} is not supported`)
      }
      db.exec(SCHEMA)
      db.exec(createSql(CORE_INDEXES))
      db.prepare('INSERT OR IGNORE INTO terms (id, key) VALUES (?, ?)').run(DEFAULT_GRAPH_ID, '')
      if (version === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION)
      db.exec('COMMIT')
    } catch (err) {
      if (db?.isOpen === true) {
        try { db.exec('ROLLBACK') } catch {}
        db.close()
      }
      lock.close()
      if (err instanceof CorruptStoreError) throw err
      throw new CorruptStoreError(options.path, `cannot open the store: ${(err as Error).message}`, { cause: err })
    }
    let backend: SqliteBackend | undefined
    try {
      backend = new SqliteBackend(Sqlite, options.path, lock, db)
      backend.replay()
      return backend
    } catch (err) {
      backend?.commitLog.close()
      db.close()
      lock.close()
      if (err instanceof CorruptStoreError) throw err
      throw new CorruptStoreError(options.path, `cannot open the store: ${(err as Error).message}`, { cause: err })
    }
  }

  private check (): void {
    if (this.closed) throw new StoreClosedError()
    if (this.failure !== undefined) throw new StoreWriteError(this.path, this.failure)
  }

  /**
   * Applies the commit log's records beyond what the SQLite file holds: the writes
   * reported done since the last group committed. Nodes already in the file (a crash
   * between the group's commit and the log's truncation) are skipped as any applied
   * node is. Reading stops at a record cut short or damaged, and at one whose parents
   * are missing (earlier records lost to a power cut): none of those was reported done
   * in a state that the file and the log both kept.
   */
  private replay (): void {
    if (this.commitLog.bytes === 0) return
    const records = this.commitLog.read()
    this.currentHeads() // read before any node is added
    this.db.exec('BEGIN IMMEDIATE')
    try {
      for (const record of records) {
        const commits = record.map(blocks => this.loggedCommit(blocks))
        if (!this.parentsKnown(commits)) break
        for (const commit of commits) this.applyOne(commit)
      }
      this.storeHeads()
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
    this.commitLog.reset()
  }

  /** Whether every parent of these commits is applied or among them, earlier. */
  private parentsKnown (commits: readonly Commit[]): boolean {
    const earlier = new Set<string>()
    for (const commit of commits) {
      for (const parent of commit.node.value.parents) {
        if (!earlier.has(cidKey(parent)) && this.stmt.node.get(parent.bytes) === undefined) return false
      }
      earlier.add(cidKey(commit.node.cid))
    }
    return true
  }

  /** A commit from its logged blocks (their bytes checked by the record's checksum). */
  private loggedCommit (blocks: LoggedCommit): Commit {
    const bad = (reason: string): never => { throw new CorruptStoreError(this.path, `${COMMIT_LOG_FILE}: ${reason}`) }
    let node: ClockNode
    let payloads: Array<{ cid: CID, bytes: Uint8Array, value: DeltaChunk }>
    try {
      node = dagCbor.decode(blocks[0])
      payloads = blocks.slice(1).map(bytes => ({ cid: cidOf(bytes), bytes, value: dagCbor.decode<DeltaChunk>(bytes) }))
    } catch (err) {
      return bad(`a logged block does not decode: ${(err as Error).message}`)
    }
    const listed = node.payload ?? []
    if (listed.length !== payloads.length || listed.some((cid, i) => !cid.equals(payloads[i].cid))) bad('a logged commit\'s payload blocks do not match its node')
    return commitOf({ cid: cidOf(blocks[0]), bytes: blocks[0], value: node }, payloads)
  }

  async getMeta (key: string): Promise<string | undefined> {
    this.check()
    return (this.stmt.getMeta.get(key) as { value: string } | undefined)?.value
  }

  async setMeta (key: string, value: string): Promise<void> {
    this.check()
    this.flush()
    this.stmt.setMeta.run(key, value)
  }

  async getBlock (cid: CID): Promise<Uint8Array | undefined> {
    this.check()
    return (this.stmt.getBlock.get(cid.bytes) as { bytes: Uint8Array } | undefined)?.bytes
  }

  async hasBlock (cid: CID): Promise<boolean> {
    this.check()
    return this.stmt.hasBlock.get(cid.bytes) !== undefined
  }

  async putBlocks (blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>): Promise<void> {
    this.check()
    this.transaction(() => { for (const b of blocks) this.stmt.putOtherBlock.run(b.cid.bytes, b.bytes) })
  }

  private record (row: { cid: Uint8Array, height: number, seq: number }): NodeRecord {
    return { cid: CID.decode(row.cid), height: Number(row.height), seq: Number(row.seq) }
  }

  async heads (): Promise<NodeRecord[]> {
    this.check()
    return [...this.currentHeads()]
  }

  /** The heads, sorted by CID bytes. */
  private currentHeads (): NodeRecord[] {
    if (this.headsCache === undefined) {
      const row = this.stmt.heads.get() as { seq: number, heads: Uint8Array | null } | undefined
      if (row !== undefined && row.heads === null) throw new CorruptStoreError(this.path, 'the newest node does not hold the heads')
      this.headsRow = row === undefined ? undefined : Number(row.seq)
      this.headsCache = row === undefined ? [] : decodeHeads(row.heads!).sort((a, b) => compareBytes(a.cid.bytes, b.cid.bytes))
    }
    return this.headsCache
  }

  /** A new node replaces those of its parents that are heads; stored by `storeHeads`. */
  private advanceHeads (seq: number, cid: CID, height: number, parents: readonly CID[]): void {
    const heads = this.currentHeads()
    let kept = heads
    for (const parent of parents) {
      const at = kept.findIndex(h => h.cid.equals(parent))
      if (at === -1) continue
      if (kept === heads) kept = heads.slice()
      kept.splice(at, 1)
    }
    this.headsPending = seq
    const record = { cid, height, seq }
    const at = kept.findIndex(h => compareBytes(h.cid.bytes, cid.bytes) > 0)
    if (kept === heads) kept = heads.slice()
    kept.splice(at === -1 ? kept.length : at, 0, record)
    this.headsCache = kept
  }

  /** Ends a transaction that added nodes: the heads move to the row of the last one. */
  private storeHeads (): void {
    const seq = this.headsPending
    if (seq === undefined) return
    this.headsPending = undefined
    this.stmt.setHeads.run(encodeHeads(this.currentHeads()), seq)
    if (this.headsRow !== undefined && this.headsRow !== seq) this.stmt.setHeads.run(null, this.headsRow)
    this.headsRow = seq
  }

  async observedTags (quads: ReadonlyArray<readonly [string, string, string, string]>): Promise<CID[][]> {
    this.check()
    return quads.map(quad => {
      const ids: number[] = []
      for (const key of quad) {
        const id = this.termIds.get(key) ?? (this.stmt.termId.get(key) as { id: number } | undefined)?.id
        if (id === undefined) return []
        ids.push(Number(id))
      }
      return (this.stmt.tagsOf.all(...ids) as Array<{ cid: Uint8Array }>).map(r => CID.decode(r.cid))
    })
  }

  async node (cid: CID): Promise<NodeRecord | undefined> {
    this.check()
    const row = this.stmt.node.get(cid.bytes) as { seq: number, height: number } | undefined
    return row === undefined ? undefined : { cid, height: Number(row.height), seq: Number(row.seq) }
  }

  async nodesOf (cids: readonly CID[]): Promise<Array<NodeRecord | undefined>> {
    this.check()
    return cids.map(cid => {
      const row = this.stmt.node.get(cid.bytes) as { seq: number, height: number } | undefined
      return row === undefined ? undefined : { cid, height: Number(row.height), seq: Number(row.seq) }
    })
  }

  async log (options: { limit: number, before?: number }): Promise<NodeRecord[]> {
    this.check()
    const rows = this.stmt.log.all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as Array<{ cid: Uint8Array, height: number, seq: number }>
    return rows.map(r => this.record(r))
  }

  async nodeCount (): Promise<number> {
    this.check()
    return Number((this.stmt.nodeCount.get() as { n: number }).n)
  }

  async count (): Promise<number> {
    this.check()
    // Read through a snapshot: the writer connection may be inside a bulk write.
    const reader = this.reader()
    try {
      return await reader.count()
    } finally {
      reader.release()
    }
  }

  /** Runs `fn` in a transaction of its own, after the open group's. */
  private transaction (fn: () => void): void {
    this.flush()
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      try { this.db.exec('ROLLBACK') } catch {} // SQLite may have rolled back already
      this.rolledBack()
      throw err
    }
  }

  /** What a rollback undoes in memory: ids handed out, and any index change. */
  private rolledBack (): void {
    this.termIds.clear()
    this.headsCache = undefined
    this.osgpDropped = false
    this.headsRow = undefined
    this.headsPending = undefined
    this.graphIndexes = this.hasGraphIndexes()
  }

  /**
   * Ids of distinct terms, made for the new ones. Terms not cached go to SQLite as one
   * JSON array per statement: the loop over them runs in C, not one call per term.
   */
  private termIdList (keys: readonly string[]): number[] {
    if (keys.length < 64) return keys.map(k => this.termId(k))
    const ids = new Array<number>(keys.length)
    const missing: string[] = []
    const at: number[] = []
    keys.forEach((k, i) => {
      const id = this.termIds.get(k)
      if (id !== undefined) ids[i] = id
      else { missing.push(k); at.push(i) }
    })
    for (let from = 0; from < missing.length; from += 8192) {
      const slice = missing.slice(from, from + 8192)
      const json = JSON.stringify(slice)
      this.stmt.addTerms.run(json)
      const rows = this.stmt.termIds.all(json) as unknown as number[][]
      if (rows.length !== slice.length) throw new CorruptStoreError(this.path, 'the term dictionary lost a term it was given')
      if (this.termIds.size + slice.length >= 500_000) this.termIds.clear()
      for (let i = 0; i < slice.length; i++) {
        const id = Number(rows[i][0])
        ids[at[from + i]] = id
        this.termIds.set(slice[i], id)
      }
    }
    return ids
  }

  private termId (key: string): number {
    let id = this.termIds.get(key)
    if (id !== undefined) return id
    const row = this.stmt.termId.get(key) as { id: number } | undefined
    id = row === undefined ? Number(this.stmt.addTerm.run(key).lastInsertRowid) : Number(row.id)
    if (this.termIds.size >= 500_000) this.termIds.clear()
    this.termIds.set(key, id)
    return id
  }

  async apply (commits: readonly Commit[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.check()
    throwIfAborted(options.signal)
    // Everything below is synchronous: the transaction is atomic for readers in this
    // process as well as on disk, and the signal is honoured only before it starts.
    this.currentHeads() // read before any node of this transaction is added
    if (isSmall(commits)) {
      this.applyLogged(commits)
    } else {
      this.transaction(() => {
        for (const commit of commits) this.applyOne(commit)
        this.storeHeads()
      })
      this.checkpointer?.committed(commits.length)
    }
    this.generation++
  }

  /**
   * A small write: applied in the open group's transaction (opened if need be) under a
   * savepoint, and durable once its record is in the commit log. A failure rolls back
   * to the savepoint, leaving the group as it was.
   */
  private applyLogged (commits: readonly Commit[]): void {
    const heads = this.headsCache
    const headsPending = this.headsPending
    const tombstones = this.tombstoneCount
    const opened = !this.groupOpen
    if (opened) {
      this.db.exec('BEGIN IMMEDIATE')
      this.groupOpen = true
    }
    this.db.exec('SAVEPOINT write')
    let applied: Commit[]
    try {
      applied = commits.filter(commit => this.applyOne(commit))
      if (applied.length > 0) this.commitLog.append(applied.map(c => [c.node.bytes, ...c.payloads.map(p => p.bytes)]))
      this.db.exec('RELEASE write')
    } catch (err) {
      try {
        this.db.exec('ROLLBACK TO write')
        this.db.exec('RELEASE write')
      } catch {
        // SQLite rolled the whole transaction back itself (it may, on a full disk or an
        // I/O error): the group's earlier writes are now in the log only, which reopening
        // applies. Until then the store refuses calls, so nothing reads or truncates past them.
        this.groupOpen = false
        this.rolledBack()
        if (opened) throw err
        this.failure = err as Error
        throw new StoreWriteError(this.path, this.failure)
      }
      this.termIds.clear()
      this.headsCache = heads
      this.headsPending = headsPending
      this.tombstoneCount = tombstones
      this.graphIndexes = this.hasGraphIndexes()
      if (opened) {
        this.db.exec('ROLLBACK')
        this.groupOpen = false
      }
      throw err
    }
    this.grouped += applied.length
    if (this.grouped >= FLUSH_COMMITS || this.commitLog.bytes >= FLUSH_BYTES) {
      this.flush()
    } else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined
        try { this.flush() } catch {} // kept in `failure`, reported by the next call
      }, FLUSH_MS)
      this.flushTimer.unref()
    }
  }

  /**
   * Commits the open group to SQLite and empties the commit log. If the commit fails
   * (a full disk), the group is rolled back and the store refuses further calls: every
   * write reported done is still in the log, which reopening applies.
   */
  private flush (): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer)
      this.flushTimer = undefined
    }
    if (!this.groupOpen) return
    try {
      this.storeHeads()
      this.db.exec('COMMIT')
    } catch (err) {
      try { this.db.exec('ROLLBACK') } catch {}
      this.groupOpen = false
      this.rolledBack()
      this.failure = err as Error
      throw new StoreWriteError(this.path, this.failure)
    }
    this.groupOpen = false
    const commits = this.grouped
    this.grouped = 0
    this.commitLog.reset()
    this.checkpointer?.committed(commits)
  }

  /** Applies one commit in the transaction in progress; false when it was applied before. */
  private applyOne (commit: Commit): boolean {
    const s = this.stmt
    const cid = commit.node.cid
    if (s.node.get(cid.bytes) !== undefined) return false
    const seq = Number(s.addNode.run(cid.bytes, commit.node.value.height, commit.node.bytes).lastInsertRowid)
    s.dropBlock.run(cid.bytes)
    for (const p of commit.payloads) s.putBlock.run(p.cid.bytes, p.bytes)
    const additions = commit.chunks.reduce((n, c) => n + c.a.length / 4, 0)
    if (additions >= BULK_REBUILD_MIN && additions > Number((s.count.get() as { n: number }).n)) this.dropOsgp()
    for (const chunk of commit.chunks) {
      const ids = this.termIdList(chunk.t)
      const tagSeqs = chunk.c.map(tag => (s.node.get(tag.bytes) as { seq: number } | undefined)?.seq)
      const r = chunk.r
      for (let i = 0; i < r.length; i += 5) {
        const q0 = ids[r[i]]; const q1 = ids[r[i + 1]]; const q2 = ids[r[i + 2]]; const q3 = ids[r[i + 3]]
        const tag = tagSeqs[r[i + 4]]
        if (tag === undefined) {
          s.addTombstone.run(q0, q1, q2, q3, chunk.c[r[i + 4]].bytes)
          this.tombstoneCount++
          continue
        }
        this.dropTag(q0, q1, q2, q3, tag)
      }
      const a = chunk.a
      if (this.tombstoneCount === 0) {
        this.insertQuads(a, ids, seq)
        continue
      }
      for (let i = 0; i < a.length; i += 4) {
        const q0 = ids[a[i]]; const q1 = ids[a[i + 1]]; const q2 = ids[a[i + 2]]; const q3 = ids[a[i + 3]]
        if (s.tombstone.get(q0, q1, q2, q3, cid.bytes) !== undefined) continue
        this.insertQuad(q0, q1, q2, q3, seq)
      }
    }
    this.restoreOsgp()
    this.advanceHeads(seq, cid, commit.node.value.height, commit.node.value.parents)
    return true
  }

  /** Adds one quad tagged by node `seq` (a further tag when another add has it already). */
  private insertQuad (q0: number, q1: number, q2: number, q3: number, seq: number): void {
    if (q3 !== DEFAULT_GRAPH_ID) this.needGraphIndexes()
    if (Number(this.stmt.addQuad.run(q0, q1, q2, q3, seq).changes) === 0) this.stmt.addOtherTag.run(q0, q1, q2, q3, seq)
  }

  private readonly quadArgs = new Array<number>(QUAD_ROWS * 5)

  /**
   * Adds quads given as flat local indexes (four per quad) into `ids`, tagged by node
   * `seq`, QUAD_ROWS per statement. A statement that inserted fewer rows than it was
   * given met quads already there; only then are its rows looked at one by one, to tag
   * those another commit added (a repeat within this one adds no tag).
   */
  private insertQuads (local: ArrayLike<number>, ids: readonly number[], seq: number): void {
    const count = local.length >> 2
    const args = this.quadArgs
    let i = 0
    for (; i + QUAD_ROWS <= count; i += QUAD_ROWS) {
      for (let k = 0, at = i * 4; k < QUAD_ROWS * 5; k += 5, at += 4) {
        const g = ids[local[at + 3]]
        if (g !== DEFAULT_GRAPH_ID) this.needGraphIndexes()
        args[k] = ids[local[at]]; args[k + 1] = ids[local[at + 1]]; args[k + 2] = ids[local[at + 2]]; args[k + 3] = g; args[k + 4] = seq
      }
      if (Number(this.stmt.addQuads.run(...args).changes) < QUAD_ROWS) {
        for (let k = 0; k < QUAD_ROWS * 5; k += 5) this.stmt.addOtherTag.run(args[k], args[k + 1], args[k + 2], args[k + 3], seq)
      }
    }
    for (let at = i * 4; at < count * 4; at += 4) this.insertQuad(ids[local[at]], ids[local[at + 1]], ids[local[at + 2]], ids[local[at + 3]], seq)
  }

  beginBulk (): BulkWrite {
    this.check()
    this.flush()
    const s = this.stmt
    this.db.exec('BEGIN IMMEDIATE')
    const seq = Number((s.maxSeq.get() as { n: number }).n) + 1
    const existing = Number((s.count.get() as { n: number }).n)
    const ids: number[] = []
    let added = 0
    let open = true
    const end = (): void => {
      if (!open) return
      open = false
      try { this.db.exec('ROLLBACK') } catch {} // SQLite may have rolled back already
      this.rolledBack()
    }
    return {
      add: (terms, quads) => {
        if (!open) throw new StoreClosedError()
        for (const id of this.termIdList(terms)) ids.push(id)
        this.insertQuads(quads, ids, seq)
        added += quads.length / 4
        if (!this.osgpDropped && added >= BULK_REBUILD_MIN && added > existing) this.dropOsgp()
      },
      // Build osgp while the worker sorts and encodes the delta.
      seal: () => { if (open) this.restoreOsgp() },
      finish: async commit => {
        if (!open) throw new StoreClosedError()
        try {
          const cid = commit.node.cid
          this.restoreOsgp()
          this.currentHeads() // read before the node is added
          s.addNodeAt.run(seq, cid.bytes, commit.node.value.height, commit.node.bytes)
          s.dropBlock.run(cid.bytes)
          for (const p of commit.payloads) s.putBlock.run(p.cid.bytes, p.bytes)
          this.advanceHeads(seq, cid, commit.node.value.height, commit.node.value.parents)
          this.storeHeads()
          this.db.exec('COMMIT')
          open = false
          this.generation++
          // A bulk write fills the WAL as a great many commits would.
          this.checkpointer?.committed(Number.MAX_SAFE_INTEGER)
        } catch (err) {
          end()
          throw err
        }
      },
      abort: end
    }
  }

  private dropTag (q0: number, q1: number, q2: number, q3: number, tag: number): void {
    const s = this.stmt
    const first = s.firstTag.get(q0, q1, q2, q3) as { tag: number } | undefined
    if (first === undefined) return
    if (Number(first.tag) !== tag) {
      s.dropTag.run(q0, q1, q2, q3, tag)
      return
    }
    const other = s.otherTag.get(q0, q1, q2, q3) as { node: number } | undefined
    if (other === undefined) {
      s.dropQuad.run(q0, q1, q2, q3)
    } else {
      s.setFirstTag.run(other.node, q0, q1, q2, q3)
      s.dropTag.run(q0, q1, q2, q3, other.node)
    }
  }

  /** A snapshot of what is committed; the open group commits first, so it sees every write done. */
  reader (): Reader {
    this.check()
    this.flush()
    const conn = this.idleReaders.pop() ?? this.openReader()
    conn.exec('BEGIN')
    let released = false
    // Prepared statements live as long as their pooled connection, not one reader.
    let statements = this.statementCache.get(conn)
    if (statements === undefined) this.statementCache.set(conn, statements = new Map())
    const prepare = (sql: string): StatementSync => {
      let st = statements.get(sql)
      if (st === undefined) {
        st = conn.prepare(sql)
        statements.set(sql, st)
      }
      return st
    }
    const live = (): void => {
      if (released) throw new StoreClosedError()
      this.check()
    }
    const scanning = new Set<StatementSync>()
    const backend = this
    return {
      lookup: async keys => {
        live()
        const st = prepare('SELECT id FROM terms WHERE key = ?')
        return keys.map(k => {
          const row = st.get(k) as { id: number } | undefined
          return row === undefined ? undefined : Number(row.id)
        })
      },
      resolve: async ids => {
        live()
        const st = prepare('SELECT key FROM terms WHERE id = ?')
        // Many unknown ids (a cold cache): one statement per 8,192 ids, the loop in C.
        const unknown = ids.filter(id => !backend.termKeys.has(id))
        if (unknown.length >= 64) {
          const many = prepare('SELECT t.id, t.key FROM json_each(?) j JOIN terms t ON t.id = j.value')
          if (backend.termKeys.size + unknown.length >= 200_000) backend.termKeys.clear()
          for (let from = 0; from < unknown.length; from += 8192) {
            for (const row of many.all(JSON.stringify(unknown.slice(from, from + 8192))) as Array<{ id: number, key: string }>) {
              backend.termKeys.set(Number(row.id), row.key)
            }
          }
        }
        return ids.map(id => {
          let key = backend.termKeys.get(id)
          if (key === undefined) {
            key = (st.get(id) as { key: string } | undefined)?.key
            if (key === undefined) throw new CorruptStoreError(backend.path, `term ${id} is missing from the dictionary`)
            if (backend.termKeys.size >= 200_000) backend.termKeys.clear()
            backend.termKeys.set(id, key)
          }
          return key
        })
      },
      scanMany: async (patterns, limit) => {
        live()
        // One prepared statement per shape of bound positions, each read whole with `all`
        // (several times faster per row than stepping `iterate` from JavaScript), selecting
        // only the free positions: the bound ones are the pattern's.
        const byShape: Array<StatementSync | undefined> = []
        const ends = new Uint32Array(patterns.length >> 2)
        let quads = new Uint32Array(Math.max(64, patterns.length))
        let n = 0
        const args: number[] = []
        for (let i = 0; i < patterns.length; i += 4) {
          let shape = 0
          args.length = 0
          // As `normalize`: without named graphs, a bound default graph is left free in the
          // SQL (its rows are all in it) and another bound graph matches nothing.
          const graph = patterns[i + 3]
          if (graph !== 0 && !backend.graphIndexes && graph !== DEFAULT_GRAPH_ID) {
            ends[i >> 2] = n >> 2
            continue
          }
          const sqlWidth = graph !== 0 && !backend.graphIndexes ? 3 : 4
          for (let k = 0; k < sqlWidth; k++) {
            const id = patterns[i + k]
            if (id !== 0) { shape |= 1 << k; args.push(id) }
          }
          let st = byShape[shape]
          if (st === undefined) {
            const free = POSITIONS.filter((_, k) => (shape & (1 << k)) === 0)
            const clauses = POSITIONS.filter((_, k) => (shape & (1 << k)) !== 0).map(c => `${c} = ?`)
            // Its own statements (the comment makes the text differ): `scan` may be stepping the same query.
            st = prepare(`SELECT ${free.length === 0 ? '1' : free.join(', ')} FROM quads` + (shape === 0 ? ' NOT INDEXED' : ' WHERE ' + clauses.join(' AND ')) + (limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`) + ' /* many */')
            st.setReturnArrays(true)
            byShape[shape] = st
          }
          const rows = st.all(...args) as unknown as number[][]
          if (n + rows.length * 4 > quads.length) {
            const grown = new Uint32Array(Math.max(quads.length * 2, n + rows.length * 4))
            grown.set(quads.subarray(0, n))
            quads = grown
          }
          const s0 = patterns[i]; const p0 = patterns[i + 1]; const o0 = patterns[i + 2]; const g0 = patterns[i + 3]
          for (const r of rows) {
            let c = 0
            quads[n++] = s0 !== 0 ? s0 : r[c++]
            quads[n++] = p0 !== 0 ? p0 : r[c++]
            quads[n++] = o0 !== 0 ? o0 : r[c++]
            quads[n++] = g0 !== 0 ? g0 : r[c]
          }
          ends[i >> 2] = n >> 2
        }
        return { quads: quads.subarray(0, n), ends }
      },
      scan: (pattern, options = {}) => ({
        async * [Symbol.asyncIterator] () {
          live()
          const normalized = backend.normalize(pattern)
          if (normalized === null) return
          const where = whereOf(normalized)
          // A full scan reads the table itself (spog order), so subjects come grouped, as Turtle likes.
          const sql = 'SELECT s, p, o, g FROM quads' + (where.shape === 0 ? ' NOT INDEXED' : where.sql)
          // A statement steps one iteration at a time: a scan nested in another of the same
          // shape (a join) gets its own, or the outer one would go on from the inner's bindings.
          let st = prepare(sql)
          const nested = scanning.has(st)
          if (nested) st = conn.prepare(sql)
          else scanning.add(st)
          st.setReturnArrays(true)
          const rows = st.iterate(...where.args) as Iterator<[number, number, number, number]>
          try {
            while (true) {
              throwIfAborted(options.signal)
              live()
              const batch = new Uint32Array(SCAN_BATCH * 4)
              let n = 0
              for (; n < SCAN_BATCH; n++) {
                const next = rows.next()
                if (next.done === true) break
                const r = next.value
                batch[n * 4] = r[0]; batch[n * 4 + 1] = r[1]; batch[n * 4 + 2] = r[2]; batch[n * 4 + 3] = r[3]
              }
              if (n > 0) yield n === SCAN_BATCH ? batch : batch.subarray(0, n * 4)
              if (n < SCAN_BATCH) return
            }
          } finally {
            rows.return?.()
            if (!nested) scanning.delete(st)
          }
        }
      }),
      estimate: async pattern => {
        live()
        const normalized = backend.normalize(pattern)
        if (normalized === null) return 0
        const where = whereOf(normalized)
        const capped = Number((prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM quads${where.sql} LIMIT ${ESTIMATE_EXACT + 1})`).get(...where.args) as { n: number }).n)
        if (capped <= ESTIMATE_EXACT) return capped
        if (backend.estimateGeneration !== backend.generation) {
          backend.estimateCache.clear()
          backend.estimateGeneration = backend.generation
        }
        const key = pattern.join(',')
        let n = backend.estimateCache.get(key)
        if (n === undefined) {
          n = Number((prepare('SELECT count(*) AS n FROM quads' + where.sql).get(...where.args) as { n: number }).n)
          backend.estimateCache.set(key, n)
        }
        return n
      },
      count: async () => {
        live()
        return Number((prepare('SELECT count(*) AS n FROM quads').get() as { n: number }).n)
      },
      graphs: async () => {
        live()
        if (!backend.graphIndexes) {
          return prepare('SELECT 1 FROM quads LIMIT 1').get() === undefined ? [] : [DEFAULT_GRAPH_ID]
        }
        // Hops from one graph to the next through the gspo index: one seek per graph, not a scan.
        const st = prepare(`WITH RECURSIVE gs(g) AS (SELECT min(g) FROM quads
          UNION ALL SELECT (SELECT min(g) FROM quads WHERE g > gs.g) FROM gs WHERE gs.g IS NOT NULL)
          SELECT g FROM gs WHERE g IS NOT NULL`)
        return (st.all() as Array<{ g: number }>).map(r => Number(r.g))
      },
      release: () => {
        if (released) return
        released = true
        try {
          conn.exec('COMMIT')
        } catch {}
        if (backend.closed || backend.idleReaders.length >= 8) conn.close()
        else backend.idleReaders.push(conn)
      }
    }
  }

  private openReader (): DatabaseSync {
    const conn = new this.Sqlite(join(this.path, SQLITE_STORE_FILE), { readOnly: true })
    conn.exec('PRAGMA cache_size = -16384')
    return conn
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      if (this.failure === undefined) this.flush()
    } finally {
      // The checkpointer's connection closes first: the writer's, closing last, then
      // checkpoints what is left and removes the WAL.
      await this.checkpointer?.close()
      for (const conn of this.idleReaders.splice(0)) conn.close()
      this.commitLog.close()
      this.db.close()
      this.lock.close()
    }
  }
}
