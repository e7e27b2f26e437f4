/**
 * The writer connection's prepared statements, prepared once per open store.
 * Reader connections prepare their own (reader.ts): a statement belongs to one connection.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'

// Quads per multi-row INSERT: one call into SQLite per this many rows, not per row.
export const QUAD_ROWS = 64

const SQL = {
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  getBlock: 'SELECT bytes FROM nodes WHERE cid = ?1 UNION ALL SELECT bytes FROM blocks WHERE cid = ?1 LIMIT 1',
  hasBlock: 'SELECT 1 FROM nodes WHERE cid = ?1 UNION ALL SELECT 1 FROM blocks WHERE cid = ?1 LIMIT 1',
  putBlock: 'INSERT OR IGNORE INTO blocks (cid, bytes) VALUES (?, ?)',
  // A block that is an applied node's is in its row already.
  putOtherBlock: 'INSERT INTO blocks (cid, bytes) SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE cid = ?1) ON CONFLICT DO NOTHING',
  // A node's block stored before it was applied moves into its row.
  dropBlock: 'DELETE FROM blocks WHERE cid = ?',
  termId: 'SELECT id FROM terms WHERE key = ?',
  addTerm: 'INSERT INTO terms (key) VALUES (?)',
  addTerms: 'INSERT OR IGNORE INTO terms (key) SELECT value FROM json_each(?)',
  termIds: 'SELECT t.id FROM json_each(?) j JOIN terms t ON t.key = j.value ORDER BY j.key',
  node: 'SELECT seq, height FROM nodes WHERE cid = ?',
  addNode: 'INSERT INTO nodes (cid, height, bytes) VALUES (?, ?, ?)',
  addNodeAt: 'INSERT INTO nodes (seq, cid, height, bytes) VALUES (?, ?, ?, ?)',
  maxSeq: 'SELECT coalesce(max(seq), 0) AS n FROM nodes',
  heads: 'SELECT seq, heads FROM nodes ORDER BY seq DESC LIMIT 1',
  setHeads: 'UPDATE nodes SET heads = ? WHERE seq = ?',
  log: 'SELECT cid, height, seq FROM nodes WHERE seq < ? ORDER BY seq DESC LIMIT ?',
  nodeCount: 'SELECT count(*) AS n FROM nodes',
  addQuad: 'INSERT INTO quads (s, p, o, g, tag) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  addQuads: `INSERT INTO quads (s, p, o, g, tag) VALUES ${'(?, ?, ?, ?, ?), '.repeat(QUAD_ROWS - 1)}(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  // A further tag for a quad already there by another commit's add.
  addOtherTag: 'INSERT OR IGNORE INTO tags (s, p, o, g, node) SELECT s, p, o, g, ?5 FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4 AND tag <> ?5',
  firstTag: 'SELECT tag FROM quads WHERE s = ? AND p = ? AND o = ? AND g = ?',
  dropTag: 'DELETE FROM tags WHERE s = ? AND p = ? AND o = ? AND g = ? AND node = ?',
  otherTag: 'SELECT node FROM tags WHERE s = ? AND p = ? AND o = ? AND g = ? LIMIT 1',
  setFirstTag: 'UPDATE quads SET tag = ? WHERE s = ? AND p = ? AND o = ? AND g = ?',
  dropQuad: 'DELETE FROM quads WHERE s = ? AND p = ? AND o = ? AND g = ?',
  addTombstone: 'INSERT OR IGNORE INTO tombstones (s, p, o, g, tag) VALUES (?, ?, ?, ?, ?)',
  tombstone: 'SELECT 1 FROM tombstones WHERE s = ? AND p = ? AND o = ? AND g = ? AND tag = ?',
  tombstoneCount: 'SELECT count(*) AS n FROM tombstones',
  count: 'SELECT count(*) AS n FROM quads',
  tagsOf: `SELECT n.cid FROM (SELECT tag AS node FROM quads WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4
    UNION SELECT node FROM tags WHERE s = ?1 AND p = ?2 AND o = ?3 AND g = ?4) t JOIN nodes n ON n.seq = t.node`,
  hasGraphIndexes: "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'quads_gspo'"
} as const

export type Statements = Record<keyof typeof SQL, StatementSync>

/**
 * The statements, each prepared on first use: preparing all of them took about 1 ms of
 * an open that needs few (a read-only session uses a handful). Once prepared, a
 * statement is a plain property, so the hot path pays nothing for the laziness.
 */
export function prepareStatements (db: DatabaseSync): Statements {
  const stmt = {} as Statements
  for (const [name, sql] of Object.entries(SQL) as Array<[keyof typeof SQL, string]>) {
    Object.defineProperty(stmt, name, {
      configurable: true,
      enumerable: true,
      get: () => {
        const prepared = db.prepare(sql)
        if (name === 'termIds') prepared.setReturnArrays(true)
        Object.defineProperty(stmt, name, { value: prepared, enumerable: true })
        return prepared
      }
    })
  }
  return stmt
}
