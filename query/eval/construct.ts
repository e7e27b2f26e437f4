/**
 * CONSTRUCT template instantiation and DESCRIBE (concise bounded descriptions).
 * Both yield a set of triples: duplicates across solutions are removed with a
 * key set, which is the one allocation that grows with the output.
 */
import type * as RDF from '@rdfjs/types'
import type { Algebra } from 'sparqlalgebrajs'
import type { Bindings, EvalContext } from '../context.js'
import { df, quadKey, sameTermKey, varKey } from '../terms.js'
import { scanActive } from './scan.js'

/** One template triple for one solution; undefined when unbound or not a valid triple. */
export function instantiate (t: Algebra.Pattern | RDF.BaseQuad, b: Bindings, bnodes: Map<string, RDF.BlankNode>, ctx: EvalContext, defaultGraph: RDF.Term = df.defaultGraph()): RDF.Quad | undefined {
  const sub = (term: RDF.Term): RDF.Term | undefined => {
    if (term.termType === 'Variable') return b.get(term.value)
    if (term.termType === 'BlankNode') {
      let n = bnodes.get(term.value)
      if (n === undefined) bnodes.set(term.value, n = df.blankNode(ctx.shared.bnodePrefix + String(ctx.shared.bnodeCounter++)))
      return n
    }
    if (term.termType === 'Quad') {
      const s = sub(term.subject); const p = sub(term.predicate); const o = sub(term.object)
      if (s === undefined || p === undefined || o === undefined) return undefined
      return df.quad(s as RDF.Quad_Subject, p as RDF.Quad_Predicate, o as RDF.Quad_Object)
    }
    return term
  }
  const s = sub(t.subject); const p = sub(t.predicate); const o = sub(t.object)
  const g = t.graph === undefined || t.graph.termType === 'DefaultGraph' ? defaultGraph : sub(t.graph)
  if (s === undefined || p === undefined || o === undefined || g === undefined) return undefined
  if (s.termType === 'Literal' || p.termType !== 'NamedNode' || g.termType === 'Literal') return undefined
  return df.quad(s as RDF.Quad_Subject, p, o as RDF.Quad_Object, g as RDF.Quad_Graph)
}

export async function * instantiateTemplate (template: Algebra.Pattern[], solutions: AsyncIterable<Bindings>, ctx: EvalContext): AsyncIterable<RDF.Quad> {
  const seen = new Set<string>()
  for await (const b of solutions) {
    const bnodes = new Map<string, RDF.BlankNode>()
    for (const t of template) {
      const q = instantiate(t, b, bnodes, ctx)
      if (q === undefined) continue
      const k = quadKey(q)
      if (seen.has(k)) continue
      seen.add(k)
      yield q
    }
  }
}

export async function * describe (terms: Array<RDF.Variable | RDF.NamedNode>, solutions: AsyncIterable<Bindings>, ctx: EvalContext): AsyncIterable<RDF.Quad> {
  const resources = new Map<string, RDF.Term>()
  for (const t of terms) if (t.termType === 'NamedNode') resources.set(sameTermKey(t), t)
  const vars = terms.map(varKey).filter((k): k is string => k !== undefined)
  for await (const b of solutions) {
    for (const v of vars) { const t = b.get(v); if (t !== undefined && t.termType !== 'Literal') resources.set(sameTermKey(t), t) }
  }
  const seen = new Set<string>()
  const described = new Set<string>()
  const queue = [...resources.values()]
  while (queue.length > 0) {
    const r = queue.shift()!
    const rk = sameTermKey(r)
    if (described.has(rk)) continue
    described.add(rk)
    for await (const q of scanActive(ctx, r, undefined, undefined)) {
      const triple = df.quad(q.subject, q.predicate, q.object)
      const k = quadKey(triple)
      if (seen.has(k)) continue
      seen.add(k)
      yield triple
      // Concise bounded description: follow blank-node objects.
      if (q.object.termType === 'BlankNode') queue.push(q.object)
    }
  }
}
