/**
 * The IndexedDB backend: Rhizome's persistent store in a browser (schema.ts for the
 * layout and why each ordering exists).
 *
 * Writes: each `apply` (and a bulk write's `finish`) is one readwrite transaction over
 * every store: prefetch, the OR-Set in memory, then the puts (or-set-index.ts). It
 * commits whole or not at all, so a tab closed during a commit leaves the state before
 * it or after it. The counters and heads are kept in memory too (one tab holds the
 * database: lock.ts) and taken from a transaction only once it committed.
 * Reads: every call runs in a transaction of its own; calls and writes go through one
 * queue, so each sees the writes before it and none of those after; a Reader is a
 * snapshot through snapshots.ts.
 * Failures: a transaction the browser refuses for quota is ERR_STORAGE_QUOTA, any other
 * failed write ERR_STORE_WRITE, and either leaves nothing of the call stored.
 */
import { openDB, unwrap, type IDBPDatabase } from 'idb'
import { CID } from 'multiformats/cid'
import { throwIfAborted } from '../../quad-model/index.js'
import type { Commit } from '../../merkle-clock/index.js'
import type { Backend, BulkWrite, IdPattern, NodeRecord, Reader } from '../backend.js'
import { CorruptStoreError, StorageQuotaError, StoreClosedError, StoreWriteError } from '../errors.js'
import { applyCommits, nextHeads } from '../or-set.js'
import { acquireTabLock } from './lock.js'
import { prefetch, PrefetchedIndex, quadKeyString, readAll, visibilityChanges, writeChanges, type Changes, type WriteTx } from './or-set-index.js'
import { ALL_STORES, createSchema, keyBytes, orderingFor, prefixRange, SCHEMA_VERSION, type QuadKey, type RhizomeIdb, type StoredState } from './schema.js'
import { matches, SnapshotLog } from './snapshots.js'

export interface IndexedDbBackendOptions {
  /** The IndexedDB database's name: one per Rhizome database in an origin. */
  name: string
  /**
   * IndexedDB's durability hint for writes. 'strict' waits until the data is flushed
   * to disk (a power cut after a write returned keeps it); the default lets the
   * browser flush later, which a closed tab never loses but a power cut may.
   */
  durability?: 'default' | 'strict' | 'relaxed'
}

const EMPTY_STATE: StoredState = { nextSeq: 1, nextTerm: 1, quads: 0, tombstones: 0, heads: [] }
/** Quads per batch a scan yields. */
const SCAN_BATCH = 4096

type Db = IDBPDatabase<RhizomeIdb>

export class IndexedDbBackend implements Backend {
  readonly persistent = true
  private closed = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly snapshots = new SnapshotLog()

  private constructor (
    private readonly db: Db,
    private state: StoredState,
    private readonly options: IndexedDbBackendOptions,
    private readonly unlock: () => Promise<void>
  ) {}

  /** Opens (or creates) the database `name`; ERR_DATABASE_LOCKED when another tab has it open. */
  static async open (options: IndexedDbBackendOptions): Promise<IndexedDbBackend> {
    const unlock = await acquireTabLock(options.name)
    try {
      let db: Db
      try {
        db = await openDB<RhizomeIdb>(options.name, SCHEMA_VERSION, {
          upgrade: (database, oldVersion) => { if (oldVersion === 0) createSchema(database) }
        })
      } catch (err) {
        if ((err as Error).name === 'VersionError') throw new CorruptStoreError(`IndexedDB "${options.name}"`, 'made by a newer Rhizome (unknown schema)', { cause: err })
        throw mapWriteError(options.name, err)
      }
      const state = await db.get('state', 'state') ?? { ...EMPTY_STATE }
      return new IndexedDbBackend(db, state, options, unlock)
    } catch (err) {
      await unlock()
      throw err
    }
  }

  /** Runs `task` after every call queued before it (reads and writes alike). */
  private async serial<T> (task: () => Promise<T>): Promise<T> {
    this.check()
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => {})
    return await run
  }

  private check (): void {
    if (this.closed) throw new StoreClosedError()
  }

  private writeTx (): WriteTx {
    return this.db.transaction([...ALL_STORES], 'readwrite', { durability: this.options.durability ?? 'default' })
  }

  /** Runs one write transaction: `build` reads what it needs and returns the changes it made. */
  private async write (build: (tx: WriteTx) => Promise<Changes | undefined>): Promise<void> {
    await this.serial(async () => {
      const tx = this.writeTx()
      let changes: Changes | undefined
      try {
        changes = await build(tx)
        if (changes !== undefined) writeChanges(tx, changes)
        await tx.done
      } catch (err) {
        try { tx.abort() } catch {} // already finished, or aborted by the browser
        await tx.done.catch(() => {})
        throw mapWriteError(this.options.name, err)
      }
      if (changes === undefined) return
      this.state = changes.state
      this.snapshots.committed(visibilityChanges(changes))
    })
  }

  async apply (commits: readonly Commit[], options: { signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal)
    await this.write(async tx => {
      const data = await prefetch(tx, this.state, commits)
      throwIfAborted(options.signal)
      const index = new PrefetchedIndex(data, this.state)
      if (applyCommits(index, commits).length === 0) return undefined
      return index.changes
    })
  }

  beginBulk (): BulkWrite {
    this.check()
    // Held in memory until `finish`: IndexedDB cannot keep a transaction open while the
    // parser produces, and the write must be whole or absent. `finish` then puts it all
    // in one transaction, every request issued before any is awaited.
    const terms: string[] = []
    const batches: Uint32Array[] = []
    let open = true
    return {
      add: (more, quads) => {
        if (!open) throw new StoreClosedError()
        for (const key of more) terms.push(key)
        batches.push(quads)
      },
      finish: async commit => {
        if (!open) throw new StoreClosedError()
        open = false
        const quads = concat(batches)
        await this.write(async tx => {
          const data = await prefetch(tx, this.state, [], { terms, quads })
          const index = new PrefetchedIndex(data, this.state)
          const seq = index.addNode(commit)
          // A node made after its quads: no tombstone can name it, so the adds go straight in.
          index.addTags(quads, index.termIds(terms), seq)
          index.setHeads(nextHeads(index.heads(), { cid: commit.node.cid, height: commit.node.value.height, seq }, commit.node.value.parents))
          return index.changes
        })
      },
      abort: () => { open = false; terms.length = 0; batches.length = 0 }
    }
  }

  async getMeta (key: string): Promise<string | undefined> {
    return await this.serial(async () => await this.db.get('meta', key))
  }

  async setMeta (key: string, value: string): Promise<void> {
    await this.serial(async () => {
      try {
        await this.db.put('meta', value, key)
      } catch (err) {
        throw mapWriteError(this.options.name, err)
      }
    })
  }

  async getBlock (cid: CID): Promise<Uint8Array | undefined> {
    return await this.serial(async () => {
      const tx = this.db.transaction(['blocks', 'nodes'])
      const [block, node] = await Promise.all([tx.objectStore('blocks').get(keyBytes(cid.bytes)), tx.objectStore('nodes').index('cid').get(keyBytes(cid.bytes))])
      return block ?? node?.bytes
    })
  }

  async hasBlock (cid: CID): Promise<boolean> {
    return await this.serial(async () => {
      const tx = this.db.transaction(['blocks', 'nodes'])
      const [block, node] = await Promise.all([tx.objectStore('blocks').getKey(keyBytes(cid.bytes)), tx.objectStore('nodes').index('cid').getKey(keyBytes(cid.bytes))])
      return block !== undefined || node !== undefined
    })
  }

  async putBlocks (blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>): Promise<void> {
    await this.serial(async () => {
      const tx = this.db.transaction('blocks', 'readwrite', { durability: this.options.durability ?? 'default' })
      try {
        await Promise.all([...blocks.map(async b => await tx.store.put(b.bytes, keyBytes(b.cid.bytes))), tx.done])
      } catch (err) {
        throw mapWriteError(this.options.name, err)
      }
    })
  }

  async heads (): Promise<NodeRecord[]> {
    this.check()
    return this.state.heads.map(h => ({ cid: CID.decode(h.cid), height: h.height, seq: h.seq }))
  }

  async node (cid: CID): Promise<NodeRecord | undefined> {
    return (await this.nodesOf([cid]))[0]
  }

  async nodesOf (cids: readonly CID[]): Promise<Array<NodeRecord | undefined>> {
    return await this.serial(async () => {
      const index = this.db.transaction('nodes').store.index('cid')
      return await Promise.all(cids.map(async cid => {
        const cursor = await index.openCursor(keyBytes(cid.bytes))
        return cursor === null ? undefined : { cid, height: cursor.value.height, seq: cursor.primaryKey }
      }))
    })
  }

  async log (options: { limit: number, before?: number }): Promise<NodeRecord[]> {
    return await this.serial(async () => {
      const out: NodeRecord[] = []
      if (options.limit <= 0) return out
      const range = options.before === undefined ? undefined : IDBKeyRange.upperBound(options.before, true)
      let cursor = await this.db.transaction('nodes').store.openCursor(range, 'prev')
      while (cursor !== null && out.length < options.limit) {
        out.push({ cid: CID.decode(cursor.value.cid), height: cursor.value.height, seq: cursor.primaryKey })
        cursor = await cursor.continue()
      }
      return out
    })
  }

  async nodeCount (): Promise<number> {
    this.check()
    return this.state.nextSeq - 1
  }

  async count (): Promise<number> {
    this.check()
    return this.state.quads
  }

  async observedTags (quads: ReadonlyArray<readonly [string, string, string, string]>): Promise<CID[][]> {
    return await this.serial(async () => {
      const tx = this.db.transaction(['terms', 'quads', 'nodes'])
      const termIndex = tx.objectStore('terms').index('key')
      const distinct = [...new Set(quads.flat())]
      const ids = new Map(distinct.map((key, i) => [key, i]))
      const found = await Promise.all(distinct.map(async key => await termIndex.getKey(key)))
      const records = await Promise.all(quads.map(async quad => {
        const key = quad.map(term => found[ids.get(term)!])
        if (key.some(id => id === undefined)) return undefined
        return await tx.objectStore('quads').get(key as QuadKey)
      }))
      const nodes = tx.objectStore('nodes')
      return await Promise.all(records.map(async record => await Promise.all((record?.t ?? []).map(async seq => CID.decode((await nodes.get(seq))!.cid)))))
    })
  }

  reader (): Reader {
    this.check()
    const generation = this.snapshots.acquire()
    const count = this.state.quads
    let released = false
    const live = (): void => {
      if (released) throw new StoreClosedError()
      this.check()
    }
    const read = async <T>(task: () => Promise<T>): Promise<T> => { live(); return await this.serial(task) }
    const matching = async (pattern: IdPattern, limit?: number): Promise<number[]> => await read(async () => await this.matches(generation, pattern, limit))
    return {
      lookup: async keys => await read(async () => await readAll(unwrap(this.db.transaction('terms').store.index('key')), keys, 'getKey') as Array<number | undefined>),
      resolve: async ids => await read(async () => {
        const records = await readAll(unwrap(this.db.transaction('terms').store), ids, 'get') as Array<{ key: string } | undefined>
        return records.map(record => record?.key ?? '')
      }),
      scan: (pattern, options = {}) => ({
        async * [Symbol.asyncIterator] () {
          // Read whole, as the memory backend copies its matches: one transaction, one snapshot.
          const all = await matching(pattern)
          for (let i = 0; i < all.length; i += SCAN_BATCH * 4) {
            throwIfAborted(options.signal)
            yield Uint32Array.from(all.slice(i, i + SCAN_BATCH * 4))
          }
        }
      }),
      scanMany: async (patterns, limit) => {
        const out: number[] = []
        const ends = new Uint32Array(patterns.length >> 2)
        const id = (x: number): number | undefined => x === 0 ? undefined : x
        for (let i = 0; i < patterns.length; i += 4) {
          const found = await matching([id(patterns[i]), id(patterns[i + 1]), id(patterns[i + 2]), id(patterns[i + 3])], limit)
          for (const x of found) out.push(x)
          ends[i >> 2] = out.length >> 2
        }
        return { quads: Uint32Array.from(out), ends }
      },
      estimate: async pattern => await read(async () => await this.countAt(generation, pattern)),
      count: async () => { live(); return count },
      graphs: async () => await read(async () => await this.graphsAt(generation)),
      release: () => {
        if (released) return
        released = true
        this.snapshots.release(generation)
      }
    }
  }

  /** The quads matching `pattern` at `generation`, flat s, p, o, g (at most `limit` of them). */
  private async matches (generation: number, pattern: IdPattern, limit?: number): Promise<number[]> {
    const changed = this.snapshots.since(generation)
    const { name, prefix } = orderingFor(pattern)
    const store = this.db.transaction('quads').store
    const source = name === 'spog' ? store : store.index(name)
    const keys = await source.getAllKeys(prefixRange(prefix), changed.size === 0 ? limit : undefined)
    const out: number[] = []
    for (const [s, p, o, g] of keys) if (changed.size === 0 || !changed.has(quadKeyString(s, p, o, g))) out.push(s, p, o, g)
    for (const { quad, was } of changed.values()) if (was && matches(quad, pattern)) out.push(...quad)
    return limit === undefined ? out : out.slice(0, limit * 4)
  }

  /** The number of quads matching `pattern` at `generation` (exact: IndexedDB counts a key range). */
  private async countAt (generation: number, pattern: IdPattern): Promise<number> {
    const changed = this.snapshots.since(generation)
    const { name, prefix } = orderingFor(pattern)
    const store = this.db.transaction('quads').store
    let n = await (name === 'spog' ? store : store.index(name)).count(prefixRange(prefix))
    for (const { quad, was, now } of changed.values()) if (matches(quad, pattern)) n += Number(was) - Number(now)
    return n
  }

  /** The graphs holding a quad at `generation`: a cursor over gspo that jumps from graph to graph. */
  private async graphsAt (generation: number): Promise<number[]> {
    const changed = this.snapshots.since(generation)
    const graphs = new Set<number>()
    let cursor = await this.db.transaction('quads').store.index('gspo').openKeyCursor()
    while (cursor !== null) {
      const g = cursor.key[0]
      graphs.add(g)
      cursor = await cursor.continue([g, []] as unknown as typeof cursor.key)
    }
    if (changed.size === 0) return [...graphs]
    const touched = new Set([...changed.values()].map(c => c.quad[3]))
    for (const g of touched) graphs.delete(g)
    const counted = await Promise.all([...touched].map(async g => [g, await this.countAt(generation, [undefined, undefined, undefined, g])] as const))
    for (const [g, n] of counted) if (n > 0) graphs.add(g)
    return [...graphs]
  }

  async close (): Promise<void> {
    if (this.closed) return
    await this.queue
    this.closed = true
    this.db.close()
    await this.unlock()
  }
}

function concat (batches: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(batches.reduce((n, b) => n + b.length, 0))
  let at = 0
  for (const b of batches) { out.set(b, at); at += b.length }
  return out
}

/** A browser's refusal as Rhizome's error; any error of Rhizome's or the caller's passes through. */
function mapWriteError (name: string, err: unknown): unknown {
  if (!(err instanceof DOMException)) return err
  if (err.name === 'QuotaExceededError') return new StorageQuotaError(name, { cause: err })
  return new StoreWriteError(`IndexedDB "${name}"`, err)
}
