/**
 * The IndexedDB store's layout: one database per Rhizome database, its object stores
 * and the quad index's orderings, chosen for IndexedDB's key ranges.
 *
 * IndexedDB orders array keys element by element, and an array sorts after every
 * number, so `[a, b]` to `[a, b, []]` is the key range of every key that starts with
 * a, b: a bound prefix of an ordering is one range, read with one `getAllKeys`.
 *
 * Stores (schema 1):
 *   state       'state' → the counters and heads (StoredState): read once when
 *               opened and kept in memory (one tab holds the database: lock.ts),
 *               written once per transaction that changes them.
 *   meta        string → string, the Backend's meta.
 *   blocks      CID bytes → block bytes: payloads and the manifest. A commit node's
 *               block lives in its `nodes` record, as on SQLite.
 *   nodes       seq → { cid, height, bytes }, keyed by local arrival order, so
 *               `log` is one reverse range; index `cid` (unique, binary keys) finds a
 *               node by CID. Cost: one index entry per commit.
 *   terms       id → { id, key } with the unique index `key`: ids for `resolve` by
 *               primary key, strings for `lookup` and interning through the index.
 *               One store and an index rather than two stores, so a new term is one
 *               put and the engine keeps the two directions consistent.
 *   quads       [s, p, o, g] → { s, p, o, g, t }, t the tags (node seqs) of the quad;
 *               the primary key is spog, the other five orderings are indexes.
 *   tombstones  [s, p, o, g, CID bytes] → 1: removals of adds not yet arrived.
 *
 * Orderings (backend.ts ORDERINGS; every one of the 16 sets of bound positions is a
 * prefix of one of them). Each index costs a B-tree entry per quad, written by the
 * engine (in C++, not in JavaScript) with the quad's put, so every new quad is six
 * entries and a bulk import of n quads writes 6n keys; a change of a quad's tags
 * rewrites its record (and may rewrite its index entries), which happens only when
 * a quad gets a second tag or loses one of several. Unlike SQLite, IndexedDB cannot
 * add an index without a version change (every other tab's connection closed), so
 * all six exist from the start instead of being made when a named graph appears:
 *   spog  (primary key) s, sp, spo, spog, and the full scan: subject-first lookups,
 *         the engine's most common pattern, read the records themselves.
 *   posg  p, po, pog: "all ?x with rdf:type C", the other common join shape.
 *   ogsp  o, og, ogs: reverse links and lookups by value.
 *   gspo  g, gs, gsp: one named graph by subject; also `graphs()`, which jumps from
 *         one graph to the next with a cursor instead of reading every quad.
 *   gpos  gp, gpo: one named graph by predicate.
 *   osgp  so, osg: subject and object known ("how are these related?").
 */
import type { DBSchema } from 'idb'

export const SCHEMA_VERSION = 1

export type QuadKey = [number, number, number, number]

/** Bytes as IndexedDB keys (TypeScript's IDBValidKey wants an ArrayBuffer behind them). */
export type KeyBytes = Uint8Array<ArrayBuffer>
export const keyBytes = (bytes: Uint8Array): KeyBytes => bytes as KeyBytes

export interface QuadRecord { s: number, p: number, o: number, g: number, t: number[] }

export interface StoredHead { cid: Uint8Array, height: number, seq: number }

export interface StoredState {
  /** The next node's seq (nodes are numbered from 1). */
  nextSeq: number
  /** The next term's id (ids from 1; 0 means a free position in scanMany). */
  nextTerm: number
  quads: number
  tombstones: number
  /** Sorted by CID bytes. */
  heads: StoredHead[]
}

export interface RhizomeIdb extends DBSchema {
  state: { key: string, value: StoredState }
  meta: { key: string, value: string }
  blocks: { key: KeyBytes, value: Uint8Array }
  nodes: { key: number, value: { cid: Uint8Array, height: number, bytes: Uint8Array }, indexes: { cid: KeyBytes } }
  terms: { key: number, value: { id: number, key: string }, indexes: { key: string } }
  quads: {
    key: QuadKey
    value: QuadRecord
    indexes: { posg: QuadKey, ogsp: QuadKey, gspo: QuadKey, gpos: QuadKey, osgp: QuadKey }
  }
  tombstones: { key: [number, number, number, number, KeyBytes], value: 1 }
}

export type OrderingName = 'spog' | 'posg' | 'ogsp' | 'gspo' | 'gpos' | 'osgp'

/** Positions (0 s, 1 p, 2 o, 3 g) in each ordering's key order. */
export const ORDER: Record<OrderingName, readonly number[]> = {
  spog: [0, 1, 2, 3],
  posg: [1, 2, 0, 3],
  ogsp: [2, 3, 0, 1],
  gspo: [3, 0, 1, 2],
  gpos: [3, 1, 2, 0],
  osgp: [2, 0, 3, 1]
}

const FIELDS = ['s', 'p', 'o', 'g'] as const

export const ALL_STORES = ['state', 'meta', 'blocks', 'nodes', 'terms', 'quads', 'tombstones'] as const

/** Creates the stores of schema 1 in a new database (idb's upgrade callback). */
export function createSchema (db: import('idb').IDBPDatabase<RhizomeIdb>): void {
  db.createObjectStore('state')
  db.createObjectStore('meta')
  db.createObjectStore('blocks')
  db.createObjectStore('nodes').createIndex('cid', 'cid', { unique: true })
  db.createObjectStore('terms', { keyPath: 'id' }).createIndex('key', 'key', { unique: true })
  const quads = db.createObjectStore('quads', { keyPath: ['s', 'p', 'o', 'g'] })
  for (const name of ['posg', 'ogsp', 'gspo', 'gpos', 'osgp'] as const) {
    quads.createIndex(name, ORDER[name].map(i => FIELDS[i]))
  }
  db.createObjectStore('tombstones')
}

/** The ordering whose leading positions are exactly the bound ones, and that prefix. */
export function orderingFor (pattern: readonly [number?, number?, number?, number?]): { name: OrderingName, prefix: number[] } {
  const bound = [0, 1, 2, 3].filter(i => pattern[i] !== undefined)
  for (const name of Object.keys(ORDER) as OrderingName[]) {
    const order = ORDER[name]
    if (bound.every(i => order.indexOf(i) < bound.length)) {
      return { name, prefix: order.slice(0, bound.length).map(i => pattern[i]!) }
    }
  }
  throw new Error('unreachable: six orderings cover every pattern')
}

/** The key range of every key that starts with `prefix` (undefined: the whole ordering). */
export function prefixRange (prefix: readonly number[]): IDBKeyRange | undefined {
  if (prefix.length === 0) return undefined
  // An array sorts after every number: [...prefix, []] is above every key with that prefix.
  return IDBKeyRange.bound([...prefix], [...prefix, []])
}
