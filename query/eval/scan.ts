/**
 * Scanning the active graph of the dataset, and basic graph patterns over it.
 * The active graph is the dataset's default graph (the store's, a FROM merge, or
 * the union of all graphs), one named graph, or a graph variable (GRAPH ?g over a
 * BGP: one scan binds ?g instead of one scan per graph). A BGP is a pipelined
 * index nested-loop join: each pattern is scanned with the terms bound so far
 * substituted, and pushed-down filters run as soon as their variables are bound.
 */
import type * as RDF from '@rdfjs/types'
import type { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, pace } from '../context.js'
import { df, sameTermKey, tripleKey, varKey } from '../terms.js'
import type { QuadPattern } from '../source.js'

const DEFAULT_GRAPH = df.defaultGraph()

/** The named graphs GRAPH may range over. */
export async function namedGraphs (ctx: EvalContext): Promise<RDF.Term[]> {
  const named = ctx.dataset.namedGraphs
  if (named !== 'store') return named
  const out: RDF.Term[] = []
  for await (const g of ctx.source.graphs({ signal: ctx.signal })) out.push(g)
  return out
}

/**
 * Quads of the active graph matching s/p/o (undefined = any). For a graph
 * variable the quad's graph is the binding; the caller binds it.
 */
export async function * scanActive (ctx: EvalContext, s: RDF.Term | undefined, p: RDF.Term | undefined, o: RDF.Term | undefined, graph: RDF.Term | undefined = ctx.activeGraph): AsyncIterable<RDF.Quad> {
  const options = { signal: ctx.signal }
  if (graph !== undefined && graph.termType !== 'Variable') {
    yield * ctx.source.match({ subject: s, predicate: p, object: o, graph }, options)
    return
  }
  if (graph !== undefined) {
    // A graph variable ranges over the named graphs only.
    const named = ctx.dataset.namedGraphs
    if (named === 'store') {
      for await (const q of ctx.source.match({ subject: s, predicate: p, object: o }, options)) {
        if (q.graph.termType !== 'DefaultGraph') yield q
      }
    } else {
      for (const g of named) yield * ctx.source.match({ subject: s, predicate: p, object: o, graph: g }, options)
    }
    return
  }
  const dg = ctx.dataset.defaultGraphs
  if (dg === 'store') {
    yield * ctx.source.match({ subject: s, predicate: p, object: o, graph: DEFAULT_GRAPH }, options)
    return
  }
  const patterns: QuadPattern[] = dg === 'union'
    ? [{ subject: s, predicate: p, object: o }]
    : dg.map(g => ({ subject: s, predicate: p, object: o, graph: g }))
  if (patterns.length === 1 && dg !== 'union') {
    yield * ctx.source.match(patterns[0]!, options)
    return
  }
  // The default graph is an RDF merge: a triple in several graphs appears once.
  const seen = new Set<string>()
  for (const pattern of patterns) {
    for await (const q of ctx.source.match(pattern, options)) {
      const k = tripleKey(q)
      if (seen.has(k)) continue
      seen.add(k)
      yield q
    }
  }
}

/** A filter pushed into a BGP: run once all of `vars` are bound. */
export interface ScanFilter {
  vars: string[]
  test: (b: Bindings) => boolean
}

function resolve (t: RDF.Term, b: Bindings): RDF.Term | undefined {
  const k = varKey(t)
  return k === undefined ? t : b.get(k)
}

/** Extends `b` with the bindings a quad gives a pattern; undefined if inconsistent. */
export function bindQuad (pattern: Algebra.Pattern | RDF.BaseQuad, q: RDF.Quad, b: Bindings, graphTerm: RDF.Term | undefined): Bindings | undefined {
  let out: Bindings | undefined
  const set = (t: RDF.Term, value: RDF.Term): boolean => {
    const k = varKey(t)
    if (k === undefined) return true
    const current = (out ?? b).get(k)
    if (current !== undefined) return current.equals(value)
    out ??= new Map(b)
    out.set(k, value)
    return true
  }
  if (!set(pattern.subject, q.subject) || !set(pattern.predicate, q.predicate) || !set(pattern.object, q.object)) return undefined
  if (graphTerm !== undefined && graphTerm.termType === 'Variable' && !set(graphTerm, q.graph)) return undefined
  return out ?? b
}

export async function * evalPattern (pattern: Algebra.Pattern, ctx: EvalContext, b: Bindings): AsyncIterable<Bindings> {
  let graph = ctx.activeGraph
  if (graph?.termType === 'Variable') graph = b.get(graph.value) ?? graph
  if (graph !== undefined && graph.termType !== 'Variable' && ctx.activeGraph?.termType === 'Variable' && !(await inNamedGraphs(ctx, graph))) return
  const s = resolve(pattern.subject, b); const p = resolve(pattern.predicate, b); const o = resolve(pattern.object, b)
  for await (const q of scanActive(ctx, s, p, o, graph)) {
    { const turn = pace(ctx); if (turn !== undefined) await turn }
    const out = bindQuad(pattern, q, b, ctx.activeGraph)
    if (out !== undefined) yield out
  }
}

async function inNamedGraphs (ctx: EvalContext, g: RDF.Term): Promise<boolean> {
  const named = ctx.dataset.namedGraphs
  if (named === 'store') return g.termType !== 'DefaultGraph'
  const k = sameTermKey(g)
  return named.some(n => sameTermKey(n) === k)
}

/** A BGP as a pipeline of index nested-loop joins, in the given pattern order. */
export function evalBgp (patterns: Algebra.Pattern[], ctx: EvalContext, filters: ScanFilter[] = []): AsyncIterable<Bindings> {
  const start = ctx.seed ?? new Map<string, RDF.Term>()
  let stream: AsyncIterable<Bindings> = single(start)
  const pending = [...filters]
  const bound = new Set<string>(start.keys())
  for (const pattern of patterns) {
    for (const t of [pattern.subject, pattern.predicate, pattern.object]) { const k = varKey(t); if (k !== undefined) bound.add(k) }
    if (ctx.activeGraph?.termType === 'Variable') bound.add(ctx.activeGraph.value)
    const ready = pending.filter(f => f.vars.every(v => bound.has(v)))
    for (const f of ready) pending.splice(pending.indexOf(f), 1)
    stream = stage(stream, pattern, ctx, ready)
  }
  if (pending.length > 0) stream = filterStream(stream, pending)
  return stream
}

async function * stage (input: AsyncIterable<Bindings>, pattern: Algebra.Pattern, ctx: EvalContext, filters: ScanFilter[]): AsyncIterable<Bindings> {
  for await (const b of input) {
    for await (const out of evalPattern(pattern, ctx, b)) {
      if (filters.length === 0 || filters.every(f => f.test(out))) yield out
    }
  }
}

async function * filterStream (input: AsyncIterable<Bindings>, filters: ScanFilter[]): AsyncIterable<Bindings> {
  for await (const b of input) if (filters.every(f => f.test(b))) yield b
}

export async function * single<T> (value: T): AsyncIterable<T> { yield value }
