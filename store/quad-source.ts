/**
 * The store seen as the query engine's QuadSource (declared in query/source.ts;
 * implemented here structurally, so store/ does not import query/).
 *
 * Consistency: while pinned (`pin()` … `unpin()`, which Graph.query does around
 * each run of a query), every scan reads one snapshot; unpinned, each scan reads
 * its own. Terms are converted once per source: a cache maps canonical strings to
 * ids and ids to RDF/JS terms, valid for the store's life since ids never change.
 */
import type * as RDF from '@rdfjs/types'
import { factory, termFromKey, termKey, throwIfAborted } from '../quad-model/index.js'
import type { Backend, IdPattern, Reader } from './backend.js'

export interface QuadPatternTerms {
  subject?: RDF.Term
  predicate?: RDF.Term
  object?: RDF.Term
  graph?: RDF.Term
}

const CACHE_LIMIT = 200_000

/** Term conversions, shareable by every source over one store. */
export class TermCache {
  readonly ids = new Map<string, number>()
  readonly terms = new Map<number, RDF.Term>()
  /** Estimates by id pattern, valid while the heads are those of `estimatesAt` (any write changes them). */
  readonly estimates = new Map<string, number>()
  estimatesAt = ''
}

export class StoreQuadSource {
  private pinned: Reader | undefined
  private pins = 0
  private readonly keyIds: Map<string, number>
  private readonly terms: Map<number, RDF.Term>

  private estimatesChecked = false

  constructor (private readonly backend: Backend, private readonly cache: TermCache = new TermCache()) {
    this.keyIds = cache.ids
    this.terms = cache.terms
  }

  /** Holds one snapshot for the scans that follow, until the matching unpin. */
  pin (): void {
    if (this.pins++ === 0) this.pinned = this.backend.reader()
  }

  unpin (): void {
    if (--this.pins === 0) {
      this.pinned?.release()
      this.pinned = undefined
    }
  }

  private async withReader<T> (fn: (reader: Reader) => Promise<T>): Promise<T> {
    if (this.pinned !== undefined) return await fn(this.pinned)
    const reader = this.backend.reader()
    try {
      return await fn(reader)
    } finally {
      reader.release()
    }
  }

  /** The id pattern for a term pattern, or undefined when a bound term is not in the store. */
  private async idPattern (reader: Reader, pattern: QuadPatternTerms): Promise<IdPattern | undefined> {
    const positions = [pattern.subject, pattern.predicate, pattern.object, pattern.graph]
    const keys = positions.map(t => t === undefined || t.termType === 'Variable' ? undefined : termKey(t))
    const unknown = keys.filter((k): k is string => k !== undefined && !this.keyIds.has(k))
    if (unknown.length > 0) {
      const found = await reader.lookup(unknown)
      for (let i = 0; i < unknown.length; i++) {
        const id = found[i]
        if (id === undefined) return undefined
        if (this.keyIds.size >= CACHE_LIMIT) this.keyIds.clear()
        this.keyIds.set(unknown[i], id)
      }
    }
    return keys.map(k => k === undefined ? undefined : this.keyIds.get(k)) as unknown as IdPattern
  }

  private async toTerms (reader: Reader, ids: Uint32Array): Promise<void> {
    const missing: number[] = []
    for (const id of ids) if (!this.terms.has(id)) missing.push(id)
    if (missing.length === 0) return
    const distinct = [...new Set(missing)]
    const keys = await reader.resolve(distinct)
    if (this.terms.size + distinct.length > CACHE_LIMIT) this.terms.clear()
    distinct.forEach((id, i) => this.terms.set(id, termFromKey(keys[i])))
  }

  /** Quads matching the pattern, lazily; a DefaultGraph graph means the default graph only. */
  match (pattern: QuadPatternTerms, options: { signal?: AbortSignal } = {}): AsyncIterable<RDF.Quad> {
    const self = this
    return {
      async * [Symbol.asyncIterator] () {
        throwIfAborted(options.signal)
        const own = self.pinned === undefined ? self.backend.reader() : undefined
        const reader = own ?? self.pinned as Reader
        try {
          const ids = await self.idPattern(reader, pattern)
          if (ids === undefined) return
          for await (const batch of reader.scan(ids, options)) {
            await self.toTerms(reader, batch)
            for (let i = 0; i < batch.length; i += 4) {
              let s = self.terms.get(batch[i]); let p = self.terms.get(batch[i + 1]); let o = self.terms.get(batch[i + 2]); let g = self.terms.get(batch[i + 3])
              if (s === undefined || p === undefined || o === undefined || g === undefined) {
                // The cache was cleared under us by a concurrent scan: resolve this quad again.
                await self.toTerms(reader, batch.subarray(i, i + 4))
                s = self.terms.get(batch[i]); p = self.terms.get(batch[i + 1]); o = self.terms.get(batch[i + 2]); g = self.terms.get(batch[i + 3])
              }
              yield factory.quad(s as RDF.Quad_Subject, p as RDF.Quad_Predicate, o as RDF.Quad_Object, g as RDF.Quad_Graph)
            }
          }
        } finally {
          own?.release()
        }
      }
    }
  }

  /**
   * Access by term ids for the query engine (query/source.ts, IdAccess): joins run
   * on the store's integer ids, and only answers are turned into RDF/JS terms.
   */
  get ids (): StoreIdAccess {
    return new StoreIdAccess(this)
  }

  /** Ids of terms, 0 for a term the store has never seen. */
  async termIds (terms: readonly RDF.Term[]): Promise<Uint32Array> {
    const out = new Uint32Array(terms.length)
    const missing: number[] = []
    for (let i = 0; i < terms.length; i++) {
      const id = this.keyIds.get(termKey(terms[i] as RDF.Quad_Object))
      if (id === undefined) missing.push(i)
      else out[i] = id
    }
    if (missing.length === 0) return out
    const keys = missing.map(i => termKey(terms[i] as RDF.Quad_Object))
    const found = await this.withReader(async reader => await reader.lookup(keys))
    for (let k = 0; k < missing.length; k++) {
      const id = found[k]
      if (id === undefined) continue
      out[missing[k]] = id
      if (this.keyIds.size >= CACHE_LIMIT) this.keyIds.clear()
      this.keyIds.set(keys[k], id)
    }
    return out
  }

  /** The terms of ids the store gave out. */
  async idTerms (ids: ArrayLike<number>): Promise<RDF.Term[]> {
    const out = new Array<RDF.Term>(ids.length)
    const missing: number[] = []
    for (let i = 0; i < ids.length; i++) {
      const t = this.terms.get(ids[i])
      if (t === undefined) missing.push(ids[i])
      else out[i] = t
    }
    if (missing.length === 0) return out
    const distinct = [...new Set(missing)]
    const keys = await this.withReader(async reader => await reader.resolve(distinct))
    const found = new Map<number, RDF.Term>()
    if (this.terms.size + distinct.length > CACHE_LIMIT) this.terms.clear()
    for (let k = 0; k < distinct.length; k++) {
      const t = termFromKey(keys[k])
      found.set(distinct[k], t)
      this.terms.set(distinct[k], t)
    }
    for (let i = 0; i < ids.length; i++) if (out[i] === undefined) out[i] = found.get(ids[i]) as RDF.Term
    return out
  }

  /** The quads matching each of several id patterns (0 = free), read at once. */
  async matchIds (patterns: Uint32Array, options: { limit?: number, signal?: AbortSignal } = {}): Promise<{ quads: Uint32Array, ends: Uint32Array }> {
    throwIfAborted(options.signal)
    return await this.withReader(async reader => {
      if (reader.scanMany !== undefined) return await reader.scanMany(patterns, options.limit)
      const out: number[] = []
      const ends = new Uint32Array(patterns.length >> 2)
      for (let i = 0; i < patterns.length; i += 4) {
        let taken = 0
        scan: for await (const batch of reader.scan(idPatternOf(patterns.subarray(i, i + 4)), options)) {
          for (let k = 0; k < batch.length; k += 4) {
            if (options.limit !== undefined && taken >= options.limit) break scan
            out.push(batch[k], batch[k + 1], batch[k + 2], batch[k + 3])
            taken++
          }
        }
        ends[i >> 2] = out.length >> 2
      }
      return { quads: Uint32Array.from(out), ends }
    })
  }

  /** Lazily, the quads matching one id pattern (0 = free). */
  scanIds (pattern: Uint32Array, options: { signal?: AbortSignal } = {}): AsyncIterable<Uint32Array> {
    const self = this
    const ids = idPatternOf(pattern)
    return {
      async * [Symbol.asyncIterator] () {
        throwIfAborted(options.signal)
        const own = self.pinned === undefined ? self.backend.reader() : undefined
        try {
          yield * (own ?? self.pinned as Reader).scan(ids, options)
        } finally {
          own?.release()
        }
      }
    }
  }

  /**
   * Estimates for several id patterns (0 = free), remembered across queries until
   * the next write: counting even a few thousand matches costs more than a small query.
   */
  async estimateIds (patterns: Uint32Array): Promise<number[]> {
    const cache = this.cache
    if (!this.estimatesChecked) {
      this.estimatesChecked = true
      const at = (await this.backend.heads()).map(h => h.seq).join(',')
      if (at !== cache.estimatesAt) {
        cache.estimates.clear()
        cache.estimatesAt = at
      }
    }
    const out: number[] = []
    let reader: Reader | undefined
    try {
      for (let i = 0; i < patterns.length; i += 4) {
        const key = `${patterns[i]},${patterns[i + 1]},${patterns[i + 2]},${patterns[i + 3]}`
        let n = cache.estimates.get(key)
        if (n === undefined) {
          reader ??= this.pinned ?? this.backend.reader()
          n = await reader.estimate(idPatternOf(patterns.subarray(i, i + 4)))
          if (cache.estimates.size >= CACHE_LIMIT) cache.estimates.clear()
          cache.estimates.set(key, n)
        }
        out.push(n)
      }
    } finally {
      if (reader !== undefined && reader !== this.pinned) reader.release()
    }
    return out
  }

  /** A cheap estimate of the matches; 0 when a bound term is not in the store. */
  async estimate (pattern: QuadPatternTerms): Promise<number> {
    return await this.withReader(async reader => {
      const ids = await this.idPattern(reader, pattern)
      return ids === undefined ? 0 : await reader.estimate(ids)
    })
  }

  /** The non-empty named graphs. */
  graphs (options: { signal?: AbortSignal } = {}): AsyncIterable<RDF.NamedNode | RDF.BlankNode> {
    const self = this
    return {
      async * [Symbol.asyncIterator] () {
        const ids = await self.withReader(async reader => await reader.graphs())
        const found: Array<RDF.NamedNode | RDF.BlankNode> = []
        await self.withReader(async reader => {
          const keys = await reader.resolve(ids)
          for (const key of keys) if (key !== '') found.push(termFromKey(key) as RDF.NamedNode | RDF.BlankNode)
        })
        for (const g of found) {
          throwIfAborted(options.signal)
          yield g
        }
      }
    }
  }
}

function idPatternOf (p: Uint32Array): IdPattern {
  return [p[0] === 0 ? undefined : p[0], p[1] === 0 ? undefined : p[1], p[2] === 0 ? undefined : p[2], p[3] === 0 ? undefined : p[3]]
}

/** The id-level view of one StoreQuadSource (the query engine's IdAccess, structurally). */
export class StoreIdAccess {
  constructor (private readonly source: StoreQuadSource) {}
  async termIds (terms: readonly RDF.Term[]): Promise<Uint32Array> { return await this.source.termIds(terms) }
  async idTerms (ids: ArrayLike<number>): Promise<RDF.Term[]> { return await this.source.idTerms(ids) }
  async matchIds (patterns: Uint32Array, options?: { limit?: number, signal?: AbortSignal }): Promise<{ quads: Uint32Array, ends: Uint32Array }> { return await this.source.matchIds(patterns, options) }
  scanIds (pattern: Uint32Array, options?: { signal?: AbortSignal }): AsyncIterable<Uint32Array> { return this.source.scanIds(pattern, options) }
  async estimateIds (patterns: Uint32Array): Promise<number[]> { return await this.source.estimateIds(patterns) }
}

/** The default graph, for callers that build patterns. */
export const DEFAULT_GRAPH = factory.defaultGraph()
