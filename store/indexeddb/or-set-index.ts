/**
 * The OR-Set's index (or-set.ts) for IndexedDB. The OR-Set is synchronous and IndexedDB
 * is not, so a write runs in three steps inside one readwrite transaction: `prefetch`
 * reads everything the commits can touch (their nodes and tags' nodes, their terms,
 * the quads they add or remove, tombstones when there are any), the OR-Set runs over
 * those records in memory (`PrefetchedIndex`), and `writeChanges` puts what changed.
 * Only IndexedDB requests are awaited in between, so the transaction stays open and
 * commits once: the call is whole or absent, even if the tab closes during it.
 * Cost: two rounds of reads before the writes (terms and nodes, then quads), issued
 * together, so latency is two round trips whatever the size.
 */
import { unwrap, type IDBPTransaction } from 'idb'
import type { CID } from 'multiformats/cid'
import { cidKey, type Commit } from '../../merkle-clock/index.js'
import type { NodeRecord } from '../backend.js'
import type { OrSetIndex } from '../or-set.js'
import { keyBytes, type ALL_STORES, type KeyBytes, type QuadKey, type QuadRecord, type RhizomeIdb, type StoredState } from './schema.js'
import { CID as CIDClass } from 'multiformats/cid'

export type WriteTx = IDBPTransaction<RhizomeIdb, typeof ALL_STORES, 'readwrite'>

export const quadKeyString = (s: number, p: number, o: number, g: number): string => `${s},${p},${o},${g}`

/** A quad whose visibility a write changed: what a snapshot reader needs (snapshots.ts). */
export interface VisibilityChange { quad: QuadKey, was: boolean, now: boolean }

/** What the write reads first: everything the OR-Set can ask about. */
export interface Prefetched {
  seqs: Map<string, number | undefined>
  terms: Map<string, number | undefined>
  tags: Map<string, number[] | undefined>
  tombstones: Set<string>
}

/** The term strings, CIDs and quads (as term strings) a set of commits can touch. */
interface Wanted { cids: CID[], terms: Set<string>, quads: Array<readonly [string, string, string, string]> }

function wanted (commits: readonly Commit[], extra?: { terms: readonly string[], quads: ArrayLike<number> }): Wanted {
  const cids: CID[] = []
  const terms = new Set<string>()
  const quads: Array<readonly [string, string, string, string]> = []
  for (const commit of commits) {
    cids.push(commit.node.cid, ...commit.node.value.parents)
    for (const chunk of commit.chunks) {
      const t = chunk.t
      for (const key of t) terms.add(key)
      cids.push(...chunk.c)
      for (let i = 0; i < chunk.a.length; i += 4) quads.push([t[chunk.a[i]], t[chunk.a[i + 1]], t[chunk.a[i + 2]], t[chunk.a[i + 3]]])
      for (let i = 0; i < chunk.r.length; i += 5) quads.push([t[chunk.r[i]], t[chunk.r[i + 1]], t[chunk.r[i + 2]], t[chunk.r[i + 3]]])
    }
  }
  if (extra !== undefined) {
    const t = extra.terms
    for (const key of t) terms.add(key)
    const a = extra.quads
    for (let i = 0; i < a.length; i += 4) quads.push([t[a[i]], t[a[i + 1]], t[a[i + 2]], t[a[i + 3]]])
  }
  return { cids, terms, quads }
}

/**
 * Reads many keys with native requests, one success callback each and one promise for
 * all (requests of a transaction complete in order, so the last one's success means
 * every one's): idb's promise per request costs more than the read itself.
 */
export async function readAll (source: IDBObjectStore | IDBIndex, keys: readonly IDBValidKey[], method: 'get' | 'getKey'): Promise<unknown[]> {
  const out = new Array<unknown>(keys.length)
  if (keys.length === 0) return out
  return await new Promise((resolve, reject) => {
    keys.forEach((key, i) => {
      const request: IDBRequest = source[method](key)
      request.onsuccess = () => {
        out[i] = request.result
        if (i === keys.length - 1) resolve(out)
      }
      request.onerror = () => reject(request.error)
    })
  })
}

const tombstoneKey = (s: number, p: number, o: number, g: number, tag: CID): string => `${quadKeyString(s, p, o, g)},${cidKey(tag)}`

/** Reads, inside `tx`, every record the commits (or a bulk write's quads) can touch. */
export async function prefetch (tx: WriteTx, state: StoredState, commits: readonly Commit[], extra?: { terms: readonly string[], quads: ArrayLike<number> }): Promise<Prefetched> {
  const want = wanted(commits, extra)
  const seqs = new Map<string, number | undefined>()
  const terms = new Map<string, number | undefined>()
  const nodeIndex = unwrap(tx.objectStore('nodes').index('cid'))
  const termIndex = unwrap(tx.objectStore('terms').index('key'))
  const distinctCids = new Map(want.cids.map(cid => [cidKey(cid), cid]))
  const termList = [...want.terms]
  const [seqList, idList] = await Promise.all([
    readAll(nodeIndex, [...distinctCids.values()].map(cid => keyBytes(cid.bytes)), 'getKey') as Promise<Array<number | undefined>>,
    readAll(termIndex, termList, 'getKey') as Promise<Array<number | undefined>>
  ])
  ;[...distinctCids.keys()].forEach((key, i) => seqs.set(key, seqList[i]))
  termList.forEach((key, i) => terms.set(key, idList[i]))
  // Only quads whose terms all exist can be stored already.
  const quadKeys = new Map<string, QuadKey>()
  for (const quad of want.quads) {
    const ids = quad.map(key => terms.get(key))
    if (ids.some(id => id === undefined)) continue
    const [s, p, o, g] = ids as QuadKey
    quadKeys.set(quadKeyString(s, p, o, g), [s, p, o, g])
  }
  const keyList = [...quadKeys]
  const records = await readAll(unwrap(tx.objectStore('quads')), keyList.map(([, key]) => key), 'get') as Array<QuadRecord | undefined>
  const tags = new Map<string, number[] | undefined>()
  keyList.forEach(([key], i) => tags.set(key, records[i]?.t))
  const tombstones = new Set<string>()
  if (state.tombstones > 0) {
    // A tombstone names the node whose add it voids: probe each commit's own additions.
    const probes = new Map<string, [number, number, number, number, KeyBytes]>()
    for (const commit of commits) {
      for (const chunk of commit.chunks) {
        const ids = chunk.t.map(key => terms.get(key))
        for (let i = 0; i < chunk.a.length; i += 4) {
          const [s, p, o, g] = [ids[chunk.a[i]], ids[chunk.a[i + 1]], ids[chunk.a[i + 2]], ids[chunk.a[i + 3]]]
          if (s === undefined || p === undefined || o === undefined || g === undefined) continue
          probes.set(tombstoneKey(s, p, o, g, commit.node.cid), [s, p, o, g, keyBytes(commit.node.cid.bytes)])
        }
      }
    }
    const list = [...probes]
    const found = await readAll(unwrap(tx.objectStore('tombstones')), list.map(([, key]) => key), 'getKey')
    list.forEach(([key], i) => { if (found[i] !== undefined) tombstones.add(key) })
  }
  return { seqs, terms, tags, tombstones }
}

/** The changes the OR-Set made, to be written and, on success, taken into memory. */
export interface Changes {
  state: StoredState
  nodes: Array<{ seq: number, commit: Commit }>
  terms: Array<{ id: number, key: string }>
  /** Quads whose tags changed: the new tags (empty: the quad is gone). */
  tags: Map<string, { quad: QuadKey, t: number[], was: boolean }>
  tombstones: Array<[number, number, number, number, KeyBytes]>
}

/** The OR-Set's index over prefetched records; its writes go to `changes`. */
export class PrefetchedIndex implements OrSetIndex {
  readonly changes: Changes

  constructor (private readonly data: Prefetched, state: StoredState) {
    this.changes = { state: { ...state, heads: state.heads }, nodes: [], terms: [], tags: new Map(), tombstones: [] }
  }

  nodeSeqs (cids: readonly CID[]): Array<number | undefined> {
    return cids.map(cid => this.data.seqs.get(cidKey(cid)))
  }

  addNode (commit: Commit): number {
    const seq = this.changes.state.nextSeq++
    this.changes.nodes.push({ seq, commit })
    this.data.seqs.set(cidKey(commit.node.cid), seq)
    return seq
  }

  termIds (keys: readonly string[]): number[] {
    return keys.map(key => {
      let id = this.data.terms.get(key)
      if (id === undefined) {
        id = this.changes.state.nextTerm++
        this.data.terms.set(key, id)
        this.changes.terms.push({ id, key })
      }
      return id
    })
  }

  private tagsOf (key: string): number[] {
    return this.changes.tags.get(key)?.t ?? this.data.tags.get(key) ?? []
  }

  private setTags (s: number, p: number, o: number, g: number, key: string, before: number[], t: number[]): void {
    const entry = this.changes.tags.get(key)
    this.changes.tags.set(key, { quad: [s, p, o, g], t, was: entry?.was ?? before.length > 0 })
    if (before.length === 0 && t.length > 0) this.changes.state.quads++
    else if (before.length > 0 && t.length === 0) this.changes.state.quads--
  }

  addTags (local: ArrayLike<number>, ids: readonly number[], seq: number): void {
    for (let i = 0; i < local.length; i += 4) {
      const s = ids[local[i]]; const p = ids[local[i + 1]]; const o = ids[local[i + 2]]; const g = ids[local[i + 3]]
      const key = quadKeyString(s, p, o, g)
      const before = this.tagsOf(key)
      if (before.includes(seq)) continue
      this.setTags(s, p, o, g, key, before, [...before, seq])
    }
  }

  removeTags (quads: readonly number[], seqs: readonly number[]): void {
    for (let i = 0; i < seqs.length; i++) {
      const s = quads[i * 4]; const p = quads[i * 4 + 1]; const o = quads[i * 4 + 2]; const g = quads[i * 4 + 3]
      const key = quadKeyString(s, p, o, g)
      const before = this.tagsOf(key)
      if (!before.includes(seqs[i])) continue
      this.setTags(s, p, o, g, key, before, before.filter(t => t !== seqs[i]))
    }
  }

  hasTombstones (): boolean {
    return this.changes.state.tombstones > 0
  }

  putTombstone (s: number, p: number, o: number, g: number, tag: CID): void {
    const key = tombstoneKey(s, p, o, g, tag)
    if (this.data.tombstones.has(key)) return
    this.data.tombstones.add(key)
    this.changes.tombstones.push([s, p, o, g, keyBytes(tag.bytes)])
    this.changes.state.tombstones++
  }

  hasTombstone (s: number, p: number, o: number, g: number, tag: CID): boolean {
    return this.data.tombstones.has(tombstoneKey(s, p, o, g, tag))
  }

  heads (): readonly NodeRecord[] {
    return this.changes.state.heads.map(h => ({ cid: CIDClass.decode(h.cid), height: h.height, seq: h.seq }))
  }

  setHeads (heads: readonly NodeRecord[]): void {
    this.changes.state.heads = heads.map(h => ({ cid: h.cid.bytes, height: h.height, seq: h.seq }))
  }
}

/**
 * Puts the changes in `tx` with native requests and no callbacks: a failed request
 * aborts the transaction, whose failure the caller awaits; a promise per request
 * (idb's) would cost more than the put.
 */
export function writeChanges (tx: WriteTx, changes: Changes): void {
  const native = unwrap(tx)
  const nodes = native.objectStore('nodes')
  const blocks = native.objectStore('blocks')
  for (const { seq, commit } of changes.nodes) {
    nodes.put({ cid: commit.node.cid.bytes, height: commit.node.value.height, bytes: commit.node.bytes }, seq)
    for (const payload of commit.payloads) blocks.put(payload.bytes, payload.cid.bytes)
  }
  const terms = native.objectStore('terms')
  for (const term of changes.terms) terms.put(term)
  const quads = native.objectStore('quads')
  for (const { quad: [s, p, o, g], t } of changes.tags.values()) {
    if (t.length === 0) quads.delete([s, p, o, g])
    else quads.put({ s, p, o, g, t })
  }
  const tombstones = native.objectStore('tombstones')
  for (const key of changes.tombstones) tombstones.put(1, key)
  native.objectStore('state').put(changes.state, 'state')
}

/** The visibility changes of a write, for readers open across it. */
export function visibilityChanges (changes: Changes): VisibilityChange[] {
  const out: VisibilityChange[] = []
  for (const { quad, t, was } of changes.tags.values()) {
    const now = t.length > 0
    if (now !== was) out.push({ quad, was, now })
  }
  return out
}
