/**
 * An in-memory UpdateTarget: the reference implementation of source.ts, used by the
 * tests and handy for small embedded datasets. Quads live in one Map keyed by
 * `quadKey`, with a per-(position, term) index so a pattern with any bound
 * position scans only the quads holding that term.
 * Cost: O(n) memory for the four indexes; a scan picks the smallest index list.
 */
import type * as RDF from '@rdfjs/types'
import type { IdAccess, QuadChange, QuadPattern, UpdateTarget } from './source.js'
import { quadKey, sameTermKey } from './terms.js'
import { QueryAbortedError } from './errors.js'

type Position = 'subject' | 'predicate' | 'object' | 'graph'
const POSITIONS: Position[] = ['subject', 'predicate', 'object', 'graph']

export class MemorySource implements UpdateTarget {
  private readonly quads = new Map<string, RDF.Quad>()
  private readonly index: Record<Position, Map<string, Set<string>>> = {
    subject: new Map(), predicate: new Map(), object: new Map(), graph: new Map()
  }

  /** How many commits were applied; tests use it to check update atomicity. */
  commits = 0

  // Term ids for the id-level engine: a term keeps its id for the source's life.
  private readonly termIdOf = new Map<string, number>()
  private readonly idTerm: RDF.Term[] = [undefined as unknown as RDF.Term]
  private readonly quadIds = new Map<string, [number, number, number, number]>()

  constructor (quads: Iterable<RDF.Quad> = []) {
    for (const q of quads) this.add(q)
  }

  get size (): number { return this.quads.size }

  add (q: RDF.Quad): void {
    const k = quadKey(q)
    if (this.quads.has(k)) return
    this.quads.set(k, q)
    this.quadIds.set(k, [this.intern(q.subject), this.intern(q.predicate), this.intern(q.object), this.intern(q.graph)])
    for (const pos of POSITIONS) {
      const tk = sameTermKey(q[pos])
      let set = this.index[pos].get(tk)
      if (set === undefined) this.index[pos].set(tk, set = new Set())
      set.add(k)
    }
  }

  delete (q: RDF.Quad): void {
    const k = quadKey(q)
    const stored = this.quads.get(k)
    if (stored === undefined) return
    this.quads.delete(k)
    this.quadIds.delete(k)
    for (const pos of POSITIONS) {
      const tk = sameTermKey(stored[pos])
      const set = this.index[pos].get(tk)
      set?.delete(k)
      if (set?.size === 0) this.index[pos].delete(tk)
    }
  }

  has (q: RDF.Quad): boolean { return this.quads.has(quadKey(q)) }

  /** Snapshot of every quad, for tests and dumps. */
  all (): RDF.Quad[] { return [...this.quads.values()] }

  private candidates (pattern: QuadPattern): Iterable<string> | undefined {
    // The smallest per-term list bounds the scan; undefined means "scan everything".
    let best: Set<string> | undefined
    for (const pos of POSITIONS) {
      const t = pattern[pos]
      if (t === undefined || t.termType === 'Variable') continue
      const set = this.index[pos].get(sameTermKey(t))
      if (set === undefined) return []
      if (best === undefined || set.size < best.size) best = set
    }
    return best
  }

  async * match (pattern: QuadPattern, options: { signal?: AbortSignal } = {}): AsyncIterable<RDF.Quad> {
    const keys = this.candidates(pattern)
    // Copy the key list: a consumer may commit while it iterates.
    const list = keys === undefined ? [...this.quads.values()] : [...keys].map(k => this.quads.get(k)!)
    let n = 0
    for (const q of list) {
      if ((++n & 1023) === 0 && options.signal?.aborted === true) throw new QueryAbortedError({ cause: options.signal.reason })
      if (q === undefined || !matches(q, pattern)) continue
      yield q
    }
  }

  estimate (pattern: QuadPattern): number {
    const keys = this.candidates(pattern)
    if (keys === undefined) return this.quads.size
    return Array.isArray(keys) ? keys.length : (keys as Set<string>).size
  }

  async * graphs (): AsyncIterable<RDF.NamedNode | RDF.BlankNode> {
    const seen = new Set<string>()
    for (const q of [...this.quads.values()]) {
      if (q.graph.termType === 'DefaultGraph') continue
      const k = sameTermKey(q.graph)
      if (seen.has(k)) continue
      seen.add(k)
      yield q.graph as RDF.NamedNode | RDF.BlankNode
    }
  }

  private intern (t: RDF.Term): number {
    const k = sameTermKey(t)
    let id = this.termIdOf.get(k)
    if (id === undefined) {
      id = this.idTerm.length
      this.idTerm.push(t)
      this.termIdOf.set(k, id)
    }
    return id
  }

  private patternOf (ids: Uint32Array, at: number): QuadPattern | undefined {
    const terms: Array<RDF.Term | undefined> = []
    for (let k = 0; k < 4; k++) {
      const id = ids[at + k]
      if (id === 0) { terms.push(undefined); continue }
      const t = this.idTerm[id]
      if (t === undefined) return undefined
      terms.push(t)
    }
    return { subject: terms[0], predicate: terms[1], object: terms[2], graph: terms[3] }
  }

  private matchOne (ids: Uint32Array, at: number, out: number[], limit: number): void {
    const pattern = this.patternOf(ids, at)
    if (pattern === undefined) return
    const keys = this.candidates(pattern)
    let n = 0
    for (const k of keys ?? this.quads.keys()) {
      if (n >= limit) return
      const q = this.quads.get(k)
      if (q === undefined || !matches(q, pattern)) continue
      out.push(...this.quadIds.get(k)!)
      n++
    }
  }

  /** Id-level access (source.ts, IdAccess), so tests exercise the engine's id path. */
  readonly ids: IdAccess = {
    termIds: async terms => Uint32Array.from(terms, t => this.termIdOf.get(sameTermKey(t)) ?? 0),
    idTerms: async ids => Array.from(ids, id => this.idTerm[id]!),
    matchIds: async (patterns, options = {}) => {
      if (options.signal?.aborted === true) throw new QueryAbortedError({ cause: options.signal.reason })
      const out: number[] = []
      const ends = new Uint32Array(patterns.length >> 2)
      for (let i = 0; i < patterns.length; i += 4) {
        this.matchOne(patterns, i, out, options.limit ?? Infinity)
        ends[i >> 2] = out.length >> 2
      }
      return { quads: Uint32Array.from(out), ends }
    },
    scanIds: (pattern, options = {}) => {
      const ids = this.ids
      return (async function * () { yield (await ids.matchIds(pattern, options)).quads })()
    },
    estimateIds: async patterns => {
      const out: number[] = []
      for (let i = 0; i < patterns.length; i += 4) {
        const pattern = this.patternOf(patterns, i)
        out.push(pattern === undefined ? 0 : this.estimate(pattern))
      }
      return out
    }
  }

  async commit (change: QuadChange, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (options.signal?.aborted === true) throw new QueryAbortedError({ cause: options.signal.reason })
    for (const q of change.delete) this.delete(q)
    for (const q of change.insert) this.add(q)
    this.commits++
  }
}

function matches (q: RDF.Quad, pattern: QuadPattern): boolean {
  for (const pos of POSITIONS) {
    const t = pattern[pos]
    if (t === undefined || t.termType === 'Variable') continue
    if (!t.equals(q[pos]) && sameTermKey(t) !== sameTermKey(q[pos])) return false
  }
  return true
}
