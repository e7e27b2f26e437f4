/**
 * The in-memory backend: plain JavaScript maps, nothing on disk. It is the
 * reference for the Backend semantics and the backend of graphs opened without a
 * path (and, later, of in-memory graphs in browsers).
 *
 * Index: per graph, three nested maps (spo, pos, osp), as N3.js does; a pattern
 * with the graph free visits every graph. Each pattern uses the index whose
 * leading positions it binds: s bound → spo, else p bound → pos, else o bound →
 * osp, else spo in full.
 * Writes: the OR-Set of or-set.ts over these maps (`orSetIndex`).
 * Consistency: `apply` mutates synchronously (with an undo log should it throw),
 * and a scan copies its matches when it starts, so no read sees part of a commit.
 * A reader is a snapshot: the first write while it is open gives it a copy of the
 * index (O(quads), paid only by a write that overlaps a reader).
 */
import type { CID } from 'multiformats/cid'
import { throwIfAborted } from '../quad-model/index.js'
import type { Commit } from '../merkle-clock/index.js'
import type { Backend, IdPattern, NodeRecord, Reader } from './backend.js'
import { StoreClosedError } from './errors.js'
import { applyCommits, type OrSetIndex } from './or-set.js'

type Level3 = Map<number, Map<number, Set<number>>>

class GraphIndex {
  readonly spo: Level3 = new Map()
  readonly pos: Level3 = new Map()
  readonly osp: Level3 = new Map()
  size = 0
}

function add3 (index: Level3, a: number, b: number, c: number): void {
  let l2 = index.get(a)
  if (l2 === undefined) index.set(a, l2 = new Map())
  let l3 = l2.get(b)
  if (l3 === undefined) l2.set(b, l3 = new Set())
  l3.add(c)
}

function delete3 (index: Level3, a: number, b: number, c: number): void {
  const l2 = index.get(a)
  const l3 = l2?.get(b)
  if (l3 === undefined) return
  l3.delete(c)
  if (l3.size === 0) {
    l2!.delete(b)
    if (l2!.size === 0) index.delete(a)
  }
}

/** Calls emit(x, y, z) for the index entries matching the bound leading positions. */
function walk3 (index: Level3, a: number | undefined, b: number | undefined, c: number | undefined, emit: (x: number, y: number, z: number) => void): void {
  const firsts = a === undefined ? index : (index.has(a) ? new Map([[a, index.get(a)!]]) : new Map<number, Map<number, Set<number>>>())
  for (const [x, l2] of firsts) {
    const seconds = b === undefined ? l2 : (l2.has(b) ? new Map([[b, l2.get(b)!]]) : new Map<number, Set<number>>())
    for (const [y, l3] of seconds) {
      if (c === undefined) for (const z of l3) emit(x, y, z)
      else if (l3.has(c)) emit(x, y, c)
    }
  }
}

/** A reader's view: the live index until a write freezes a copy into it. */
interface View {
  graphs?: Map<number, GraphIndex>
  count?: number
}

function copyLevel3 (index: Level3): Level3 {
  return new Map([...index].map(([a, l2]) => [a, new Map([...l2].map(([b, l3]) => [b, new Set(l3)]))]))
}

function copyIndex (index: GraphIndex): GraphIndex {
  const copy = new GraphIndex()
  for (const key of ['spo', 'pos', 'osp'] as const) for (const [a, l2] of copyLevel3(index[key])) copy[key].set(a, l2)
  copy.size = index.size
  return copy
}

const quadKey = (s: number, p: number, o: number, g: number): string => `${s} ${p} ${o} ${g}`

export class MemoryBackend implements Backend {
  readonly persistent = false
  private closed = false
  private readonly meta = new Map<string, string>()
  private readonly blocks = new Map<string, Uint8Array>()
  private readonly termIds = new Map<string, number>()
  private readonly termKeys: string[] = ['']
  private readonly nodes = new Map<string, NodeRecord>()
  private readonly nodeList: NodeRecord[] = []
  /** Sorted by CID bytes (the OR-Set keeps them so). */
  private headList: readonly NodeRecord[] = []
  private readonly tags = new Map<string, Set<number>>()
  private readonly tombstones = new Set<string>()
  private readonly graphs = new Map<number, GraphIndex>()
  private quadCount = 0
  /** Open readers; each is frozen (given a copy of the index) before a write changes it under them. */
  private readonly openViews = new Set<View>()

  private check (): void {
    if (this.closed) throw new StoreClosedError()
  }

  async getMeta (key: string): Promise<string | undefined> { this.check(); return this.meta.get(key) }
  async setMeta (key: string, value: string): Promise<void> { this.check(); this.meta.set(key, value) }
  async getBlock (cid: CID): Promise<Uint8Array | undefined> { this.check(); return this.blocks.get(cid.toString()) }
  async hasBlock (cid: CID): Promise<boolean> { this.check(); return this.blocks.has(cid.toString()) }
  async putBlocks (blocks: ReadonlyArray<{ cid: CID, bytes: Uint8Array }>): Promise<void> {
    this.check()
    for (const b of blocks) this.blocks.set(b.cid.toString(), b.bytes)
  }

  async heads (): Promise<NodeRecord[]> {
    this.check()
    return [...this.headList]
  }

  async node (cid: CID): Promise<NodeRecord | undefined> { this.check(); return this.nodes.get(cid.toString()) }

  async nodesOf (cids: readonly CID[]): Promise<Array<NodeRecord | undefined>> {
    this.check()
    return cids.map(cid => this.nodes.get(cid.toString()))
  }

  async log (options: { limit: number, before?: number }): Promise<NodeRecord[]> {
    this.check()
    const end = Math.min(this.nodeList.length, (options.before ?? Number.MAX_SAFE_INTEGER) - 1)
    return this.nodeList.slice(Math.max(0, end - options.limit), end).reverse()
  }

  async nodeCount (): Promise<number> { this.check(); return this.nodes.size }
  async count (): Promise<number> { this.check(); return this.quadCount }

  private termId (key: string, undo: Array<() => void>): number {
    let id = this.termIds.get(key)
    if (id === undefined) {
      id = this.termKeys.length
      this.termKeys.push(key)
      this.termIds.set(key, id)
      undo.push(() => { this.termIds.delete(key); this.termKeys.pop() })
    }
    return id
  }

  private index (g: number): GraphIndex {
    let graph = this.graphs.get(g)
    if (graph === undefined) this.graphs.set(g, graph = new GraphIndex())
    return graph
  }

  private insertQuad (s: number, p: number, o: number, g: number): void {
    const graph = this.index(g)
    add3(graph.spo, s, p, o); add3(graph.pos, p, o, s); add3(graph.osp, o, s, p)
    graph.size++
    this.quadCount++
  }

  private removeQuad (s: number, p: number, o: number, g: number): void {
    const graph = this.index(g)
    delete3(graph.spo, s, p, o); delete3(graph.pos, p, o, s); delete3(graph.osp, o, s, p)
    graph.size--
    this.quadCount--
    if (graph.size === 0) this.graphs.delete(g)
  }

  async apply (commits: readonly Commit[], options: { signal?: AbortSignal } = {}): Promise<void> {
    this.check()
    throwIfAborted(options.signal)
    this.freezeViews()
    const undo: Array<() => void> = []
    try {
      applyCommits(this.orSetIndex(undo), commits)
    } catch (err) {
      for (const step of undo.reverse()) step()
      throw err
    }
  }

  /** The maps as the OR-Set sees them, each change recorded in `undo` so a failed call leaves nothing applied. */
  private orSetIndex (undo: Array<() => void>): OrSetIndex {
    return {
      nodeSeqs: cids => cids.map(cid => this.nodes.get(cid.toString())?.seq),
      addNode: commit => {
        const cid = commit.node.cid
        const key = cid.toString()
        for (const b of [commit.node, ...commit.payloads]) {
          const k = b.cid.toString()
          if (!this.blocks.has(k)) { this.blocks.set(k, b.bytes); undo.push(() => this.blocks.delete(k)) }
        }
        const record: NodeRecord = { cid, height: commit.node.value.height, seq: this.nodeList.length + 1 }
        this.nodes.set(key, record)
        this.nodeList.push(record)
        undo.push(() => { this.nodes.delete(key); this.nodeList.pop() })
        return record.seq
      },
      termIds: keys => keys.map(key => this.termId(key, undo)),
      addTags: (local, ids, seq) => {
        for (let i = 0; i < local.length; i += 4) this.addTag(ids[local[i]], ids[local[i + 1]], ids[local[i + 2]], ids[local[i + 3]], seq, undo)
      },
      removeTags: (quads, seqs) => {
        for (let i = 0; i < seqs.length; i++) this.dropTag(quads[i * 4], quads[i * 4 + 1], quads[i * 4 + 2], quads[i * 4 + 3], seqs[i], undo)
      },
      hasTombstones: () => this.tombstones.size > 0,
      putTombstone: (s, p, o, g, tag) => {
        const t = `${quadKey(s, p, o, g)} ${tag.toString()}`
        if (!this.tombstones.has(t)) { this.tombstones.add(t); undo.push(() => this.tombstones.delete(t)) }
      },
      hasTombstone: (s, p, o, g, tag) => this.tombstones.has(`${quadKey(s, p, o, g)} ${tag.toString()}`),
      heads: () => this.headList,
      setHeads: heads => {
        const before = this.headList
        this.headList = heads
        undo.push(() => { this.headList = before })
      }
    }
  }

  private addTag (s: number, p: number, o: number, g: number, seq: number, undo: Array<() => void>): void {
    const key = quadKey(s, p, o, g)
    let set = this.tags.get(key)
    if (set === undefined) {
      this.tags.set(key, set = new Set())
      this.insertQuad(s, p, o, g)
      undo.push(() => { this.tags.delete(key); this.removeQuad(s, p, o, g) })
    }
    if (!set.has(seq)) {
      set.add(seq)
      undo.push(() => set.delete(seq))
    }
  }

  private dropTag (s: number, p: number, o: number, g: number, seq: number, undo: Array<() => void>): void {
    const key = quadKey(s, p, o, g)
    const set = this.tags.get(key)
    if (set === undefined || !set.delete(seq)) return
    undo.push(() => set.add(seq))
    if (set.size === 0) {
      this.tags.delete(key)
      this.removeQuad(s, p, o, g)
      undo.push(() => { this.tags.set(key, set); this.insertQuad(s, p, o, g) })
    }
  }

  /** Gives each open reader not frozen yet the index as it is now, which writes no longer touch. */
  private freezeViews (): void {
    for (const view of this.openViews) {
      if (view.graphs !== undefined) continue
      view.graphs = new Map([...this.graphs].map(([g, index]) => [g, copyIndex(index)]))
      view.count = this.quadCount
      this.openViews.delete(view)
    }
  }

  private matches (pattern: IdPattern, index: Map<number, GraphIndex> = this.graphs): number[] {
    const [s, p, o, g] = pattern
    const out: number[] = []
    const graphs = g === undefined ? [...index.entries()] : (index.has(g) ? [[g, index.get(g)!] as const] : [])
    for (const [gid, graph] of graphs) {
      if (s !== undefined) walk3(graph.spo, s, p, o, (x, y, z) => out.push(x, y, z, gid))
      else if (p !== undefined) walk3(graph.pos, p, o, undefined, (y, z, x) => out.push(x, y, z, gid))
      else if (o !== undefined) walk3(graph.osp, o, undefined, undefined, (z, x, y) => out.push(x, y, z, gid))
      else walk3(graph.spo, undefined, undefined, undefined, (x, y, z) => out.push(x, y, z, gid))
    }
    return out
  }

  async observedTags (quads: ReadonlyArray<readonly [string, string, string, string]>): Promise<CID[][]> {
    this.check()
    return quads.map(quad => {
      const [s, p, o, g] = quad.map(key => this.termIds.get(key))
      if (s === undefined || p === undefined || o === undefined || g === undefined) return []
      return [...(this.tags.get(quadKey(s, p, o, g)) ?? [])].map(seq => this.nodeList[seq - 1].cid)
    })
  }

  reader (): Reader {
    this.check()
    let released = false
    const live = (): void => {
      if (released) throw new StoreClosedError()
      this.check()
    }
    // A snapshot at no cost until a write comes while it is open (freezeViews).
    const view: View = {}
    this.openViews.add(view)
    const graphs = (): Map<number, GraphIndex> => view.graphs ?? this.graphs
    return {
      lookup: async keys => { live(); return keys.map(k => this.termIds.get(k)) },
      resolve: async ids => { live(); return ids.map(id => this.termKeys[id]) },
      scan: (pattern, options = {}) => {
        const self = this
        return {
          async * [Symbol.asyncIterator] () {
            live()
            const all = self.matches(pattern, graphs())
            for (let i = 0; i < all.length; i += 4096) {
              throwIfAborted(options.signal)
              yield Uint32Array.from(all.slice(i, i + 4096))
            }
          }
        }
      },
      scanMany: async (patterns, limit) => {
        live()
        const out: number[] = []
        const ends = new Uint32Array(patterns.length >> 2)
        const id = (x: number): number | undefined => x === 0 ? undefined : x
        for (let i = 0; i < patterns.length; i += 4) {
          const found = this.matches([id(patterns[i]), id(patterns[i + 1]), id(patterns[i + 2]), id(patterns[i + 3])], graphs())
          const take = limit === undefined ? found.length : Math.min(found.length, limit * 4)
          for (let k = 0; k < take; k++) out.push(found[k])
          ends[i >> 2] = out.length >> 2
        }
        return { quads: Uint32Array.from(out), ends }
      },
      estimate: async pattern => { live(); return this.matches(pattern, graphs()).length / 4 },
      graphs: async () => { live(); return [...graphs().keys()] },
      count: async () => { live(); return view.count ?? this.quadCount },
      release: () => { released = true; this.openViews.delete(view) }
    }
  }

  async close (): Promise<void> {
    this.closed = true
  }
}
