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
}

export class StoreQuadSource {
  private pinned: Reader | undefined
  private pins = 0
  private readonly ids: Map<string, number>
  private readonly terms: Map<number, RDF.Term>

  constructor (private readonly backend: Backend, cache: TermCache = new TermCache()) {
    this.ids = cache.ids
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
    const unknown = keys.filter((k): k is string => k !== undefined && !this.ids.has(k))
    if (unknown.length > 0) {
      const found = await reader.lookup(unknown)
      for (let i = 0; i < unknown.length; i++) {
        const id = found[i]
        if (id === undefined) return undefined
        if (this.ids.size >= CACHE_LIMIT) this.ids.clear()
        this.ids.set(unknown[i], id)
      }
    }
    return keys.map(k => k === undefined ? undefined : this.ids.get(k)) as unknown as IdPattern
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

/** The default graph, for callers that build patterns. */
export const DEFAULT_GRAPH = factory.defaultGraph()
