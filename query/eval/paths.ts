/**
 * Property path evaluation (§18.4). `pathPairs` yields (start, end) pairs of a path
 * with either end optionally fixed. Sequences and alternatives keep duplicates
 * (they are joins and unions); `*`, `+` and `?` are the ALP closures and yield each
 * pair once, walking breadth-first from the fixed end with a visited set.
 * Cost: with both ends free, `*` and `+` walk from every node of the graph.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal, pace, withContext } from '../context.js'
import { namedGraphs, scanActive } from './scan.js'
import { varKey, sameTermKey } from '../terms.js'

type Pair = [RDF.Term, RDF.Term]

export async function * evalPath (op: Algebra.Path, ctx: EvalContext, b: Bindings): AsyncIterable<Bindings> {
  const g = ctx.activeGraph
  if (g?.termType === 'Variable') {
    const bound = b.get(g.value)
    const graphs = bound !== undefined ? [bound] : await namedGraphs(ctx)
    for (const graph of graphs) {
      const inner = withContext(ctx, { activeGraph: graph })
      for await (const out of evalPathIn(op, inner, b)) {
        const existing = out.get(g.value)
        if (existing !== undefined) { if (existing.equals(graph)) yield out; continue }
        const ext = new Map(out); ext.set(g.value, graph); yield ext
      }
    }
    return
  }
  yield * evalPathIn(op, ctx, b)
}

async function * evalPathIn (op: Algebra.Path, ctx: EvalContext, b: Bindings): AsyncIterable<Bindings> {
  const sk = varKey(op.subject); const ok = varKey(op.object)
  const s = sk === undefined ? op.subject : b.get(sk)
  const o = ok === undefined ? op.object : b.get(ok)
  const sameVar = sk !== undefined && sk === ok && s === undefined
  // A variable bound before the path (VALUES, a join) is not a term of the query:
  // zero-length matches only reach it if it is a node of the graph.
  const seededEnd = (sk !== undefined && s !== undefined) || (ok !== undefined && o !== undefined)
  for await (const [x, y] of pathPairs(op.predicate, s, o, ctx)) {
    if (seededEnd && x.equals(y) && isZeroable(op.predicate) && !(await isGraphNode(x, ctx))) continue
    if (sameVar) {
      if (!x.equals(y)) continue
      const out = new Map(b); out.set(sk, x); yield out
      continue
    }
    let out = b
    if (s === undefined && sk !== undefined) { out = new Map(out); out.set(sk, x) }
    if (o === undefined && ok !== undefined) { if (out === b) out = new Map(out); out.set(ok, y) }
    yield out
  }
}

export async function * pathPairs (path: Algebra.PropertyPathSymbol, s: RDF.Term | undefined, o: RDF.Term | undefined, ctx: EvalContext): AsyncIterable<Pair> {
  switch (path.type) {
    case Algebra.types.LINK:
      for await (const q of scanActive(ctx, s, path.iri, o)) yield [q.subject, q.object]
      return
    case Algebra.types.INV:
      for await (const [x, y] of pathPairs(path.path, o, s, ctx)) yield [y, x]
      return
    case Algebra.types.NPS: {
      const excluded = new Set(path.iris.map(i => i.value))
      for await (const q of scanActive(ctx, s, undefined, o)) {
        if (!excluded.has(q.predicate.value)) yield [q.subject, q.object]
      }
      return
    }
    case Algebra.types.ALT:
      for (const p of path.input) yield * pathPairs(p, s, o, ctx)
      return
    case Algebra.types.SEQ:
      yield * seqPairs(path.input, s, o, ctx)
      return
    case Algebra.types.ZERO_OR_ONE_PATH: {
      const seen = new Set<string>()
      for await (const pair of zeroPairs(s, o, ctx)) { seen.add(pairKey(pair)); yield pair }
      for await (const pair of pathPairs(path.path, s, o, ctx)) {
        const k = pairKey(pair)
        if (!seen.has(k)) { seen.add(k); yield pair }
      }
      return
    }
    case Algebra.types.ZERO_OR_MORE_PATH:
    case Algebra.types.ONE_OR_MORE_PATH:
      yield * closurePairs(path.path, s, o, ctx, path.type === Algebra.types.ZERO_OR_MORE_PATH)
  }
}

function isZeroable (p: Algebra.PropertyPathSymbol): boolean {
  return p.type === Algebra.types.ZERO_OR_MORE_PATH || p.type === Algebra.types.ZERO_OR_ONE_PATH
}

async function isGraphNode (t: RDF.Term, ctx: EvalContext): Promise<boolean> {
  for await (const _ of scanActive(ctx, t, undefined, undefined)) return true
  if (t.termType === 'Literal' || t.termType === 'NamedNode' || t.termType === 'BlankNode') {
    for await (const _ of scanActive(ctx, undefined, undefined, t)) return true
  }
  return false
}

function pairKey ([x, y]: Pair): string { return sameTermKey(x) + ' ' + sameTermKey(y) }

async function * seqPairs (steps: Algebra.PropertyPathSymbol[], s: RDF.Term | undefined, o: RDF.Term | undefined, ctx: EvalContext): AsyncIterable<Pair> {
  if (steps.length === 1) { yield * pathPairs(steps[0]!, s, o, ctx); return }
  if (s === undefined && o !== undefined) {
    // Walk from the fixed end: the last step first.
    const last = steps[steps.length - 1]!
    const rest = steps.slice(0, -1)
    for await (const [mid, end] of pathPairs(last, undefined, o, ctx)) {
      for await (const [start] of seqPairs(rest, undefined, mid, ctx)) yield [start, end]
    }
    return
  }
  const [first, ...rest] = steps as [Algebra.PropertyPathSymbol, ...Algebra.PropertyPathSymbol[]]
  for await (const [start, mid] of pathPairs(first, s, undefined, ctx)) {
    for await (const [, end] of seqPairs(rest, mid, o, ctx)) yield [start, end]
  }
}

/** Every node of the active graph: the subjects and objects of its triples. */
async function graphNodes (ctx: EvalContext): Promise<RDF.Term[]> {
  const nodes = new Map<string, RDF.Term>()
  for await (const q of scanActive(ctx, undefined, undefined, undefined)) {
    nodes.set(sameTermKey(q.subject), q.subject)
    nodes.set(sameTermKey(q.object), q.object)
  }
  return [...nodes.values()]
}

async function * zeroPairs (s: RDF.Term | undefined, o: RDF.Term | undefined, ctx: EvalContext): AsyncIterable<Pair> {
  if (s !== undefined) {
    if (o === undefined || o.equals(s)) yield [s, s]
    return
  }
  if (o !== undefined) { yield [o, o]; return }
  for (const n of await graphNodes(ctx)) yield [n, n]
}

async function * closurePairs (step: Algebra.PropertyPathSymbol, s: RDF.Term | undefined, o: RDF.Term | undefined, ctx: EvalContext, includeZero: boolean): AsyncIterable<Pair> {
  if (s !== undefined) {
    for await (const end of reach(step, s, ctx, includeZero, false)) {
      if (o === undefined) yield [s, end]
      else if (end.equals(o)) { yield [s, end]; return }
    }
    return
  }
  if (o !== undefined) {
    for await (const start of reach(step, o, ctx, includeZero, true)) yield [start, o]
    return
  }
  for (const n of await graphNodes(ctx)) {
    for await (const end of reach(step, n, ctx, includeZero, false)) yield [n, end]
  }
}

/** Nodes reachable from `from` by one or more steps (or zero, when asked), each once. */
async function * reach (step: Algebra.PropertyPathSymbol, from: RDF.Term, ctx: EvalContext, includeZero: boolean, backward: boolean): AsyncIterable<RDF.Term> {
  const visited = new Set<string>()
  if (includeZero) { visited.add(sameTermKey(from)); yield from }
  let frontier = [from]
  while (frontier.length > 0) {
    checkSignal(ctx)
    const next: RDF.Term[] = []
    for (const node of frontier) {
      const pairs = backward ? pathPairs(step, undefined, node, ctx) : pathPairs(step, node, undefined, ctx)
      for await (const [x, y] of pairs) {
        { const turn = pace(ctx); if (turn !== undefined) await turn }
        const n = backward ? x : y
        const k = sameTermKey(n)
        if (visited.has(k)) continue
        visited.add(k)
        next.push(n)
        yield n
      }
    }
    frontier = next
  }
}
