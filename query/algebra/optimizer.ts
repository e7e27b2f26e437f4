/**
 * The optimizer: a list of named passes over the algebra, each a pure function
 * (a new tree, the input untouched). Turning the optimizer off skips them all and
 * the evaluator then runs the algebra as translated (patterns in written order,
 * hash joins everywhere); the differential test checks both give the same answers.
 *
 *  1. normalize        flatten nested joins, merge adjacent BGPs, drop empty BGPs
 *  2. pushFilters      move each conjunct of a FILTER into the join operand (or the
 *                      BGP) that certainly binds all its variables, so it runs as
 *                      soon as they are bound
 *  3. reorderPatterns  order each BGP's patterns greedily by the source's estimate,
 *                      treating already-bound variables as selective and avoiding
 *                      cartesian products (over a source with id access, whose
 *                      id-level engine orders joins itself at run time, estimates
 *                      are asked only for the BGPs it leaves to the term level)
 *  4. chooseJoins      index nested-loop join where the right side is a BGP or a
 *                      path (evaluated per left solution through the indexes),
 *                      hash join otherwise
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import type { QuadSource } from '../source.js'
import { certainVariables } from './variables.js'
import { varKey } from '../terms.js'

export type Pass = (op: Algebra.Operation, source: QuadSource) => Algebra.Operation | Promise<Algebra.Operation>

export const passes: Array<{ name: string, run: Pass }> = [
  { name: 'normalize', run: (op) => transform(op, normalizeNode) },
  { name: 'pushFilters', run: (op) => transform(op, pushFiltersNode) },
  { name: 'reorderPatterns', run: reorderPatterns },
  { name: 'chooseJoins', run: (op) => transform(op, chooseJoinNode) }
]

/** Runs the passes in order; `check` (the signal and deadline) runs before each. */
export async function optimize (op: Algebra.Operation, source: QuadSource, check?: () => void): Promise<Algebra.Operation> {
  let out = op
  for (const pass of passes) { check?.(); out = await pass.run(out, source) }
  check?.()
  return out
}

/** Bottom-up rebuild: children first (including EXISTS patterns), then `f` on the copy. */
function transform (op: Algebra.Operation, f: (op: Algebra.Operation) => Algebra.Operation): Algebra.Operation {
  // A SERVICE pattern is another endpoint's to plan: it is sent as written (eval/service.ts).
  if (op.type === Algebra.types.SERVICE) return f({ ...op })
  const copy: Algebra.Operation = { ...op }
  if (Array.isArray(op.input)) copy.input = op.input.map((i: Algebra.Operation) => transform(i, f))
  else if (op.input !== undefined && typeof op.input === 'object' && 'type' in op.input) copy.input = transform(op.input, f)
  if (op.expression !== undefined) copy.expression = transformExpression(op.expression, f)
  if (op.type === Algebra.types.GROUP) copy.aggregates = op.aggregates
  return f(copy)
}

function transformExpression (e: Algebra.Expression, f: (op: Algebra.Operation) => Algebra.Operation): Algebra.Expression {
  switch (e.expressionType) {
    case Algebra.expressionTypes.EXISTENCE: return { ...e, input: transform(e.input, f) }
    case Algebra.expressionTypes.OPERATOR: case Algebra.expressionTypes.NAMED:
      return { ...e, args: e.args.map(a => transformExpression(a, f)) } as Algebra.Expression
    default: return e
  }
}

const EMPTY_BGP = (op: Algebra.Operation): boolean => op.type === Algebra.types.BGP && op.patterns.length === 0 && op.metadata?.filters === undefined

function normalizeNode (op: Algebra.Operation): Algebra.Operation {
  if (op.type !== Algebra.types.JOIN) return op
  const flat: Algebra.Operation[] = []
  for (const i of op.input) {
    if (i.type === Algebra.types.JOIN) flat.push(...i.input)
    else flat.push(i)
  }
  const merged: Algebra.Operation[] = []
  for (const i of flat) {
    const last = merged[merged.length - 1]
    if (last?.type === Algebra.types.BGP && i.type === Algebra.types.BGP && last.metadata === undefined && i.metadata === undefined) {
      merged[merged.length - 1] = { ...last, patterns: [...last.patterns, ...i.patterns] }
    } else merged.push(i)
  }
  const kept = merged.filter(i => !EMPTY_BGP(i))
  if (kept.length === 0) return merged[0] ?? op
  if (kept.length === 1) return kept[0]!
  return { ...op, input: kept }
}

function conjuncts (e: Algebra.Expression): Algebra.Expression[] {
  if (e.expressionType === Algebra.expressionTypes.OPERATOR && e.operator === '&&') return e.args.flatMap(conjuncts)
  return [e]
}

function and (es: Algebra.Expression[]): Algebra.Expression {
  return es.reduce((a, b) => ({ type: Algebra.types.EXPRESSION, expressionType: Algebra.expressionTypes.OPERATOR, operator: '&&', args: [a, b] }) as Algebra.Expression)
}

const UNPUSHABLE = new Set(['rand', 'bnode', 'uuid', 'struuid'])

/** Variables of a pushable expression, or undefined when it must stay where it is. */
function expressionVariables (e: Algebra.Expression, out = new Set<string>()): Set<string> | undefined {
  switch (e.expressionType) {
    case Algebra.expressionTypes.TERM:
      if (e.term.termType === 'Variable') out.add(e.term.value)
      return out
    case Algebra.expressionTypes.OPERATOR:
      if (UNPUSHABLE.has(e.operator.toLowerCase())) return undefined
      for (const a of e.args) if (expressionVariables(a, out) === undefined) return undefined
      return out
    case Algebra.expressionTypes.NAMED:
      for (const a of e.args) if (expressionVariables(a, out) === undefined) return undefined
      return out
    default: return undefined
  }
}

function pushInto (target: Algebra.Operation, e: Algebra.Expression): Algebra.Operation | undefined {
  const vars = expressionVariables(e)
  if (vars === undefined) return undefined
  const certain = certainVariables(target)
  for (const v of vars) if (!certain.has(v)) return undefined
  if (target.type === Algebra.types.BGP) {
    const filters = [...((target.metadata?.filters as Algebra.Expression[] | undefined) ?? []), e]
    return { ...target, metadata: { ...target.metadata, filters } }
  }
  if (target.type === Algebra.types.JOIN) {
    for (let i = 0; i < target.input.length; i++) {
      const pushed = pushInto(target.input[i]!, e)
      if (pushed !== undefined) return { ...target, input: target.input.map((x, j) => j === i ? pushed : x) }
    }
    return { type: Algebra.types.FILTER, input: target, expression: e } as Algebra.Filter
  }
  if (target.type === Algebra.types.LEFT_JOIN) {
    const pushed = pushInto(target.input[0], e)
    if (pushed !== undefined) return { ...target, input: [pushed, target.input[1]] }
  }
  return { type: Algebra.types.FILTER, input: target, expression: e } as Algebra.Filter
}

function pushFiltersNode (op: Algebra.Operation): Algebra.Operation {
  if (op.type !== Algebra.types.FILTER) return op
  const input = op.input
  if (input.type !== Algebra.types.BGP && input.type !== Algebra.types.JOIN && input.type !== Algebra.types.LEFT_JOIN) return op
  let target: Algebra.Operation = input
  const kept: Algebra.Expression[] = []
  for (const c of conjuncts(op.expression)) {
    const pushed = pushInto(target, c)
    if (pushed === undefined) kept.push(c)
    else target = pushed
  }
  if (kept.length === 0) return target
  return { ...op, input: target, expression: and(kept) }
}

async function reorderPatterns (op: Algebra.Operation, source: QuadSource): Promise<Algebra.Operation> {
  const estimates = new Map<Algebra.Pattern, number>()
  const bgps: Algebra.Bgp[] = []
  // The id-level engine (ids/) measures its own estimates where it runs: only
  // BGPs it leaves to the term level (under GRAPH ?g, or FROM) need them here.
  termLevelBgps(op, source.ids === undefined, bgps)
  for (const bgp of bgps) {
    for (const p of bgp.patterns) {
      const constant = (t: RDF.Term): RDF.Term | undefined => varKey(t) === undefined && t.termType !== 'Quad' ? t : undefined
      estimates.set(p, await source.estimate({ subject: constant(p.subject), predicate: constant(p.predicate), object: constant(p.object) }))
    }
  }
  const estimate = (p: Algebra.Pattern): number => estimates.get(p) ?? (source.ids !== undefined ? 1 : Infinity)
  return transform(op, (o) => {
    if (o.type === Algebra.types.BGP && o.patterns.length > 1) return { ...o, patterns: greedyOrder(o.patterns, estimate, new Set()) }
    if (o.type === Algebra.types.JOIN) {
      // A BGP joined after VALUES (or any operand) runs with those variables bound.
      const bound = new Set<string>()
      const input = o.input.map(i => {
        const out = i.type === Algebra.types.BGP && i.patterns.length > 1 && bound.size > 0 ? { ...i, patterns: greedyOrder(i.patterns, estimate, bound) } : i
        for (const v of certainVariables(i)) bound.add(v)
        return out
      })
      return { ...o, input }
    }
    return o
  })
}

/** Whether the plan of `op` over `source` asks for no estimates, so it does not depend on the data. */
export function planIgnoresData (op: Algebra.Operation, source: QuadSource): boolean {
  const bgps: Algebra.Bgp[] = []
  termLevelBgps(op, source.ids === undefined, bgps)
  return bgps.every(b => b.patterns.length <= 1)
}

/** The BGPs the term-level evaluator runs over a source with id access (all of them without). */
function termLevelBgps (op: Algebra.Operation, termLevel: boolean, out: Algebra.Bgp[]): void {
  if (op.type === Algebra.types.BGP) { if (termLevel) out.push(op); return }
  const inner = termLevel || op.type === Algebra.types.FROM || (op.type === Algebra.types.GRAPH && op.name.termType === 'Variable')
  if (Array.isArray(op.input)) for (const i of op.input as Algebra.Operation[]) termLevelBgps(i, inner, out)
  else if (op.input !== undefined && typeof op.input === 'object' && 'type' in op.input) termLevelBgps(op.input as Algebra.Operation, inner, out)
  if (op.expression !== undefined) for (const e of existenceExpressionsOf(op.expression)) termLevelBgps(e.input, inner, out)
}

function existenceExpressionsOf (e: Algebra.Expression): Algebra.ExistenceExpression[] {
  switch (e.expressionType) {
    case Algebra.expressionTypes.EXISTENCE: return [e]
    case Algebra.expressionTypes.OPERATOR: case Algebra.expressionTypes.NAMED: return e.args.flatMap(existenceExpressionsOf)
    default: return []
  }
}

function greedyOrder (patterns: Algebra.Pattern[], estimate: (p: Algebra.Pattern) => number, initiallyBound: Set<string>): Algebra.Pattern[] {
  const remaining = [...patterns]
  // Variables bound by patterns already chosen: join keys with the values of a scan.
  const bound = new Set<string>()
  const out: Algebra.Pattern[] = []
  const discount = (k: string | undefined, factor: number): number => {
    if (k === undefined) return 1
    if (bound.has(k)) return factor
    // Bound before the BGP (VALUES, an outer join): usually few distinct values.
    return initiallyBound.has(k) ? 10 : 1
  }
  while (remaining.length > 0) {
    let best = 0; let bestCost = Infinity
    for (let i = 0; i < remaining.length; i++) {
      const p = remaining[i]!
      const ks = varKey(p.subject); const kp = varKey(p.predicate); const ko = varKey(p.object)
      // A variable bound by an earlier pattern acts like a constant, without a value to estimate with.
      let cost = estimate(p) / discount(ks, 1000) / discount(ko, 100) / discount(kp, 10)
      const vars = [ks, kp, ko].filter((k): k is string => k !== undefined)
      // Avoid cartesian products once the BGP has started binding variables.
      if (out.length > 0 && vars.length > 0 && !vars.some(v => bound.has(v))) cost *= 1e6
      if (cost < bestCost) { bestCost = cost; best = i }
    }
    const [p] = remaining.splice(best, 1) as [Algebra.Pattern]
    out.push(p)
    for (const t of [p.subject, p.predicate, p.object]) { const k = varKey(t); if (k !== undefined) bound.add(k) }
  }
  return out
}

function seedable (op: Algebra.Operation): boolean {
  // SERVICE ?endpoint learns its endpoint from the left side, and a SERVICE given a
  // solution sends it along as VALUES, so the endpoint answers for it alone.
  return op.type === Algebra.types.BGP || op.type === Algebra.types.PATH || op.type === Algebra.types.SERVICE
}

function chooseJoinNode (op: Algebra.Operation): Algebra.Operation {
  if (op.type === Algebra.types.JOIN) {
    return { ...op, metadata: { ...op.metadata, algorithms: op.input.map((i, n) => n > 0 && seedable(i) ? 'nested-loop' : 'hash') } }
  }
  if (op.type === Algebra.types.LEFT_JOIN) {
    return { ...op, metadata: { ...op.metadata, algorithm: seedable(op.input[1]) ? 'nested-loop' : 'hash' } }
  }
  return op
}
