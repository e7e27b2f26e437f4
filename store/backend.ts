/**
 * The storage backend interface: everything the layers above need from storage,
 * narrow enough that an embedded SQL engine (sqlite/), plain JavaScript
 * structures (memory-backend.ts) and IndexedDB (a key-value store with compound
 * indexes and transactions) each implement it without the layers above changing.
 *
 * Terms are interned: the backend keeps a dictionary from canonical term strings
 * (quad-model/terms.ts) to positive integer ids, and the quad index holds id
 * quadruples. Every pattern of bound and free positions is answered by a range
 * scan over one of six orderings (see ORDERINGS).
 *
 * Semantics every backend implements (the CRDT of merkle-clock/index.ts), by driving
 * the one OR-Set of or-set.ts over its own index; tests/store/backend-compliance.ts
 * holds every backend to them:
 *   - `apply` stores each commit's blocks, records the node (with its height and a
 *     local sequence number), applies its removals and then its additions, and
 *     makes it a head in place of its parents: all of a call's commits at once or
 *     none. A commit already applied is skipped.
 *   - an addition of q in node N adds tag (q, N); q is visible while it has a tag.
 *   - a removal (q, T) deletes tag (q, T); if node T is not applied yet (which a
 *     well-behaved writer never causes) it leaves a tombstone that voids a later
 *     add of (q, T), so the result does not depend on arrival order.
 *   - reads never see part of a commit, and a reader is a snapshot (`reader`).
 */
import type { CID } from 'multiformats/cid'
import type { Commit } from '../merkle-clock/index.js'

/** A quad pattern over term ids: a number binds the position, undefined leaves it free. */
export type IdPattern = readonly [s?: number, p?: number, o?: number, g?: number]

/**
 * The six orderings of (s, p, o, g). With four positions, every set of bound
 * positions must be a prefix of some ordering for a single range scan to answer
 * it, and six orderings are the fewest that cover all sixteen sets:
 *   spog  s, sp, spo, spog, and the full scan
 *   posg  p, po, pog        (predicate-first: "all ?x with rdf:type C")
 *   ogsp  o, og, ogs        (object-first: reverse links, values)
 *   gspo  g, gs, gsp        (one named graph, by subject)
 *   gpos  gp, gpo           (one named graph, by predicate)
 *   osgp  so, osg           (subject and object known: "how are these related?")
 * A backend may keep fewer while the store has no named graph: then a bound default
 * graph is the same as a free graph and any other bound graph matches nothing, so
 * spog, posg and osgp (o, os) cover every pattern (the SQLite backend does this).
 */
export const ORDERINGS = ['spog', 'posg', 'ogsp', 'gspo', 'gpos', 'osgp'] as const

export interface NodeRecord {
  cid: CID
  height: number
  /** Local apply order, increasing; not the same on every replica. */
  seq: number
}

export interface ScanOptions {
  signal?: AbortSignal
}

/** A consistent view for reading: all its reads see the same set of applied commits. */
export interface Reader {
  /** Ids of canonical term strings; undefined for a term the store has never seen. */
  lookup: (keys: readonly string[]) => Promise<Array<number | undefined>>
  /** Canonical term strings of ids. */
  resolve: (ids: readonly number[]) => Promise<string[]>
  /** Matching quads as flat s, p, o, g id arrays, a batch at a time, lazily. */
  scan: (pattern: IdPattern, options?: ScanOptions) => AsyncIterable<Uint32Array>
  /**
   * Optional: the quads matching each of several patterns, read at once (a batch
   * of index lookups for the query engine, cheaper than one `scan` each).
   * `patterns` holds s, p, o, g ids per pattern, 0 for a free position. The
   * matches come pattern after pattern as flat s, p, o, g ids, and `ends[i]`
   * counts the quads up to the end of pattern i's. `limit` caps each pattern's.
   */
  scanMany?: (patterns: Uint32Array, limit?: number) => Promise<{ quads: Uint32Array, ends: Uint32Array }>
  /** A cheap estimate of how many quads match: exact up to a bound, approximate above. */
  estimate: (pattern: IdPattern) => Promise<number>
  /** The exact number of quads. */
  count: () => Promise<number>
  /** Ids of the graphs holding at least one quad (the default graph included when it does). */
  graphs: () => Promise<number[]>
  /** Ends the view; reads after this fail. */
  release: () => void
}

/**
 * A commit written while it is still being made: quads arrive in batches (terms as
 * canonical strings, quads as indexes into the terms sent so far), then `finish`
 * stores the commit that covers them, atomically with everything before. Nothing
 * is visible to readers, or survives a crash, before `finish` returns; `abort`
 * drops it all. Only additions: a bulk import.
 */
export interface BulkWrite {
  add: (terms: readonly string[], quads: Uint32Array) => void
  /** No more quads will come: work that needs them all (index building) may start. */
  seal?: () => void
  finish: (commit: Commit) => Promise<void>
  abort: () => void
}

export interface Backend {
  /** True when the data survives the process. */
  readonly persistent: boolean
  /** True when the store takes no writes (every write is ReadOnlyError): opened read-only. */
  readonly readOnly?: boolean

  getMeta: (key: string) => Promise<string | undefined>
  setMeta: (key: string, value: string) => Promise<void>

  getBlock: (cid: CID) => Promise<Uint8Array | undefined>
  hasBlock: (cid: CID) => Promise<boolean>
  /** Stores blocks that belong to no commit (the manifest). */
  putBlocks: (blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>) => Promise<void>

  heads: () => Promise<NodeRecord[]>
  node: (cid: CID) => Promise<NodeRecord | undefined>
  /** `node` for many CIDs at once, in order. */
  nodesOf: (cids: readonly CID[]) => Promise<Array<NodeRecord | undefined>>
  /** Applied nodes, newest first (by local sequence), starting below `before` when given. */
  log: (options: { limit: number, before?: number }) => Promise<NodeRecord[]>
  nodeCount: () => Promise<number>

  /**
   * The tags of each quad (given as canonical term strings) that are still present: the
   * CIDs of the nodes whose adds of it no remove has removed, which a remove written now
   * removes. Sees every write applied, without opening a snapshot (on disk, a snapshot
   * would first commit the open group of small writes).
   */
  observedTags: (quads: ReadonlyArray<readonly [string, string, string, string]>) => Promise<CID[][]>

  /** Applies commits atomically, in the order given, which must be causal. */
  apply: (commits: readonly Commit[], options?: { signal?: AbortSignal }) => Promise<void>

  /** Starts a streamed bulk write, where the backend supports one (the caller serializes writes). */
  beginBulk?: () => BulkWrite

  /** Opens a consistent read view. */
  reader: () => Reader
  /** The exact number of quads in the graph. */
  count: () => Promise<number>

  close: () => Promise<void>
}
