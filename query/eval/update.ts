/**
 * SPARQL 1.1 Update. A request's operations run in order against an overlay of the
 * target (later operations see earlier ones), and the net change is committed once
 * through `UpdateTarget.commit`: the request is atomic, and a failing operation
 * commits nothing. DELETE/INSERT … WHERE computes all its deletions and insertions
 * from one solution sequence before applying either (§3.1.3).
 *
 * Graphs exist while they hold quads (the store records no empty graphs), so
 * CLEAR/DROP of an absent graph succeed; CREATE of a non-empty graph fails unless
 * SILENT.
 */
import type * as RDF from '@rdfjs/types'
import type * as SparqlJs from 'sparqljs'
import type { DocumentLoader, QuadChange, QuadPattern, QuadSource, UpdateTarget } from '../source.js'
import type { Dataset } from '../context.js'
import { parseUpdate } from '../parse/index.js'
import { toAlgebra, whereAsQuery, optimize } from '../algebra/index.js'
import { evaluate } from './evaluate.js'
import { createContext } from './execute.js'
import { instantiate } from './construct.js'
import { df, quadKey, sameTermKey } from '../terms.js'
import { LoadError, QueryAbortedError, QueryError, UpdateError } from '../errors.js'
import { loadFile } from './load-file.js'
import { type QueryLimits, checkAlgebraDepth, isStackOverflow, resolveLimits } from '../limits.js'
import { codedError } from './execute.js'

export interface UpdateOptions {
  signal?: AbortSignal
  baseIRI?: string
  prefixes?: Record<string, string>
  /**
   * Fetches documents for LOAD; default: `file:` IRIs inside `allowFiles` only
   * (load-file.ts). A custom loader decides for itself.
   */
  load?: DocumentLoader
  /**
   * Folders whose files the default LOAD may read, symbolic links resolved. Default none:
   * `LOAD <file:…>` fails with ERR_LOAD_FORBIDDEN (LoadForbiddenError).
   */
  allowFiles?: readonly string[]
  /** Size and depth limits of the text (query/limits.ts, docs/LIMITS.md); each absent one has its default. */
  limits?: QueryLimits
  /** Default true; false evaluates WHERE clauses without the planner. */
  optimize?: boolean
}

export interface UpdateSummary { inserted: number, deleted: number }

/** Pending changes layered over a source; iterating it shows the request's effects so far. */
class Overlay implements QuadSource {
  readonly deleted = new Map<string, RDF.Quad>()
  readonly inserted = new Map<string, RDF.Quad>()
  readonly created = new Set<string>()
  constructor (readonly base: QuadSource) {}

  async * match (pattern: QuadPattern, options?: { signal?: AbortSignal }): AsyncIterable<RDF.Quad> {
    for await (const q of this.base.match(pattern, options)) {
      const k = quadKey(q)
      if (!this.deleted.has(k) && !this.inserted.has(k)) yield q
    }
    for (const q of [...this.inserted.values()]) if (matches(q, pattern)) yield q
  }

  async estimate (pattern: QuadPattern): Promise<number> { return await this.base.estimate(pattern) + this.inserted.size }

  async * graphs (options?: { signal?: AbortSignal }): AsyncIterable<RDF.NamedNode | RDF.BlankNode> {
    const seen = new Set<string>()
    for await (const g of this.base.graphs(options)) {
      for await (const _ of this.match({ graph: g }, options)) { seen.add(sameTermKey(g)); yield g; break }
    }
    for (const q of this.inserted.values()) {
      const k = sameTermKey(q.graph)
      if (q.graph.termType === 'DefaultGraph' || seen.has(k)) continue
      seen.add(k)
      yield q.graph as RDF.NamedNode
    }
  }

  delete (q: RDF.Quad): void { const k = quadKey(q); this.inserted.delete(k); this.deleted.set(k, q) }
  insert (q: RDF.Quad): void { const k = quadKey(q); this.deleted.delete(k); this.inserted.set(k, q) }

  async quadsOf (graph: RDF.Term): Promise<RDF.Quad[]> {
    const out: RDF.Quad[] = []
    for await (const q of this.match({ graph })) out.push(q)
    return out
  }

  async hasGraph (graph: RDF.Term): Promise<boolean> {
    if (this.created.has(sameTermKey(graph))) return true
    for await (const _ of this.match({ graph })) return true
    return false
  }
}

function matches (q: RDF.Quad, p: QuadPattern): boolean {
  return (p.subject === undefined || p.subject.equals(q.subject)) && (p.predicate === undefined || p.predicate.equals(q.predicate)) &&
    (p.object === undefined || p.object.equals(q.object)) && (p.graph === undefined || p.graph.equals(q.graph))
}

const DEFAULT = df.defaultGraph()

/** Runs one SPARQL Update request and commits its net change once. */
export async function executeUpdate (target: UpdateTarget, text: string, options: UpdateOptions = {}): Promise<UpdateSummary> {
  const limits = resolveLimits(options.limits)
  let ast: SparqlJs.Update
  try {
    ast = parseUpdate(text, { baseIRI: options.baseIRI, prefixes: options.prefixes, limits, signal: options.signal })
  } catch (e) {
    throw codedError(e, limits.maxDepth)
  }
  const overlay = new Overlay(target)
  const signal = options.signal
  for (const op of ast.updates ?? []) {
    if (signal?.aborted === true) throw new QueryAbortedError({ cause: signal.reason })
    try {
      await runOperation(op, overlay, options, ast.base ?? options.baseIRI, limits)
    } catch (e) {
      if (e instanceof QueryError) throw e
      if (isStackOverflow(e)) throw codedError(e, limits.maxDepth)
      throw new UpdateError(e instanceof Error ? e.message : String(e), { cause: e })
    }
  }
  // Only deletions of quads the target holds are part of the net change.
  const deletions: RDF.Quad[] = []
  for (const q of overlay.deleted.values()) {
    for await (const _ of target.match({ subject: q.subject, predicate: q.predicate, object: q.object, graph: q.graph }, { signal })) { deletions.push(q); break }
  }
  const change: QuadChange = { delete: deletions, insert: [...overlay.inserted.values()] }
  if (change.delete.length > 0 || change.insert.length > 0) await target.commit(change, { signal })
  return { inserted: change.insert.length, deleted: change.delete.length }
}

type GraphRef = { default?: true, named?: true, all?: true, name?: RDF.NamedNode }

async function graphsOf (ref: GraphRef, overlay: Overlay): Promise<RDF.Term[]> {
  if (ref.name !== undefined) return [ref.name]
  if (ref.default === true) return [DEFAULT]
  const named: RDF.Term[] = []
  for await (const g of overlay.graphs()) named.push(g)
  return ref.all === true ? [DEFAULT, ...named] : named
}

async function runOperation (op: SparqlJs.UpdateOperation, overlay: Overlay, options: UpdateOptions, baseIRI: string | undefined, limits: Required<QueryLimits>): Promise<void> {
  if ('updateType' in op) { await runInsertDelete(op, overlay, options, baseIRI, limits); return }
  const silent = op.silent === true
  switch (op.type) {
    case 'clear': case 'drop':
      for (const g of await graphsOf(op.graph as GraphRef, overlay)) {
        for (const q of await overlay.quadsOf(g)) overlay.delete(q)
        if (op.type === 'drop') overlay.created.delete(sameTermKey(g))
      }
      return
    case 'create': {
      const g = (op.graph as GraphRef).name!
      if (await overlay.hasGraph(g)) { if (silent) return; throw new UpdateError(`graph <${g.value}> already exists`) }
      overlay.created.add(sameTermKey(g))
      return
    }
    case 'load': {
      const loader: DocumentLoader = options.load ?? (async (iri, o) => await loadFile(iri, { signal: o.signal, allowFiles: options.allowFiles }))
      let quads: RDF.Quad[]
      try {
        quads = await loader(op.source.value, { signal: options.signal })
      } catch (e) {
        // SILENT forgives a document that cannot be read, not a LOAD the caller forbade or an abort.
        if (e instanceof QueryError && (e.code === 'ERR_LOAD_FORBIDDEN' || e.code === 'ERR_ABORTED')) throw e
        if (silent) return
        throw e instanceof LoadError ? e : new LoadError(op.source.value, e instanceof Error ? e.message : String(e), { cause: e })
      }
      const into = op.destination ?? DEFAULT
      for (const q of quads) overlay.insert(df.quad(q.subject, q.predicate, q.object, into as RDF.Quad_Graph))
      return
    }
    case 'add': case 'move': case 'copy': {
      const from = graphName(op.source as GraphRef); const to = graphName(op.destination as GraphRef)
      if (from.equals(to)) return
      if (from.termType !== 'DefaultGraph' && !(await overlay.hasGraph(from))) {
        if (silent) return
        throw new UpdateError(`graph <${from.value}> does not exist`)
      }
      const source = await overlay.quadsOf(from)
      if (op.type !== 'add') for (const q of await overlay.quadsOf(to)) overlay.delete(q)
      for (const q of source) overlay.insert(df.quad(q.subject, q.predicate, q.object, to as RDF.Quad_Graph))
      if (op.type === 'move') for (const q of source) overlay.delete(q)
    }
  }
}

function graphName (ref: GraphRef): RDF.Term { return ref.default === true ? DEFAULT : ref.name! }

type Block = SparqlJs.Quads

interface InsertDelete {
  updateType: string
  delete?: Block[]
  insert?: Block[]
  where?: SparqlJs.Pattern[]
}

async function runInsertDelete (update: SparqlJs.InsertDeleteOperation, overlay: Overlay, options: UpdateOptions, baseIRI: string | undefined, limits: Required<QueryLimits>): Promise<void> {
  const op = update as unknown as InsertDelete
  const withGraph = (op as { graph?: RDF.NamedNode }).graph
  const templateGraph: RDF.Term = withGraph ?? DEFAULT
  const flatten = (blocks: Block[] | undefined): RDF.BaseQuad[] => (blocks ?? []).flatMap(block => block.triples.map(t =>
    df.quad(t.subject as RDF.Quad_Subject, t.predicate as RDF.Quad_Predicate, t.object as RDF.Quad_Object,
      (block.type === 'graph' ? block.name : templateGraph) as RDF.Quad_Graph)))
  const deletes = flatten(op.delete)
  const inserts = flatten(op.insert)

  let where: SparqlJs.Pattern[] | undefined = op.where
  if (op.updateType === 'deletewhere') {
    // DELETE WHERE: the template is the pattern.
    where = (op.delete ?? []).map(block => block.type === 'graph'
      ? { type: 'graph', name: block.name, patterns: [{ type: 'bgp', triples: block.triples }] } as SparqlJs.GraphPattern
      : { type: 'bgp', triples: block.triples } as SparqlJs.BgpPattern)
    if (withGraph !== undefined) where = [{ type: 'graph', name: withGraph, patterns: where } as SparqlJs.GraphPattern]
  }
  if (where === undefined) {
    // INSERT DATA / DELETE DATA: ground templates (blank nodes in INSERT DATA are fresh).
    const ctx = createContext(overlay, options.signal, { baseIRI })
    const bnodes = new Map<string, RDF.BlankNode>()
    for (const t of deletes) { const q = instantiate(t, new Map(), bnodes, ctx); if (q !== undefined) overlay.delete(q) }
    for (const t of inserts) { const q = instantiate(t, new Map(), bnodes, ctx); if (q !== undefined) overlay.insert(q) }
    return
  }
  const using = (op as { using?: { default?: RDF.NamedNode[], named?: RDF.NamedNode[] } }).using
  let dataset: Dataset = { defaultGraphs: 'store', namedGraphs: 'store' }
  if (using !== undefined) dataset = { defaultGraphs: using.default ?? [], namedGraphs: using.named ?? [] }
  else if (withGraph !== undefined && op.updateType !== 'deletewhere') dataset = { defaultGraphs: [withGraph], namedGraphs: 'store' }
  let algebra = toAlgebra(whereAsQuery(where, baseIRI))
  checkAlgebraDepth(algebra, limits)
  const ctx = createContext(overlay, options.signal, { baseIRI, dataset, optimize: options.optimize ?? true })
  if (options.optimize !== false) algebra = await optimize(algebra, overlay)
  const toDelete: RDF.Quad[] = []; const toInsert: RDF.Quad[] = []
  for await (const b of evaluate(algebra, ctx)) {
    for (const t of deletes) { const q = instantiate(t, b, new Map(), ctx); if (q !== undefined) toDelete.push(q) }
    const bnodes = new Map<string, RDF.BlankNode>()
    for (const t of inserts) { const q = instantiate(t, b, bnodes, ctx); if (q !== undefined) toInsert.push(q) }
  }
  for (const q of toDelete) overlay.delete(q)
  for (const q of toInsert) overlay.insert(q)
}
