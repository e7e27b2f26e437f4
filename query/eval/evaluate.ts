/**
 * The evaluator: algebra operator → lazy async iterable of solutions. Streaming
 * operators (BGP, join's probe side, filter, extend, union, project, slice) pull
 * one solution at a time, so a LIMIT that stops pulling stops the scans below it.
 * Blocking operators (ORDER BY, GROUP, MINUS's right side, a hash join's build
 * side) materialise only what they must.
 *
 * Every operator is first offered to the id-level engine (ids/), which
 * takes those it covers when the source has id access; the rest run here.
 *
 * Join strategy is read from the planner's annotation (algebra/optimizer.ts, chooseJoins):
 * an index nested-loop join evaluates a BGP or path once per left solution with
 * that solution as its seed; unannotated joins (optimizer off) are hash joins that
 * build on the right side, keyed by the variables both sides can bind.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal, compatible, mergeBindings, pace, withContext } from '../context.js'
import { evalBgp, namedGraphs, single, type ScanFilter } from './scan.js'
import { evalPath } from './paths.js'
import { evaluateIsland } from '../ids/index.js'
import { evalGroup } from './group.js'
import { solutionKey, type Compiled, type ExistsResults, compileExpression, evaluateFilter, evaluateOrUndefined, existenceExpressions, orderTerms } from '../expr/index.js'
import { SparqlUnsupportedError } from '../errors.js'
import { sameTermKey } from '../terms.js'
import { possibleVariables } from '../algebra/index.js'
import { evalService, needsSeed } from './service.js'

export function evaluate (op: Algebra.Operation, ctx: EvalContext): AsyncIterable<Bindings> {
  const onIds = evaluateIsland(op, ctx)
  if (onIds !== undefined) return onIds
  switch (op.type) {
    case Algebra.types.BGP: return evalBgp(op.patterns, ctx, scanFilters(op, ctx))
    case Algebra.types.PATH: return evalPath(op, ctx, ctx.seed ?? new Map())
    case Algebra.types.JOIN: return evalJoin(Object.assign([...op.input], { algorithms: op.metadata?.algorithms as string[] | undefined }), ctx)
    case Algebra.types.LEFT_JOIN: return evalLeftJoin(op, ctx)
    case Algebra.types.UNION: return evalUnion(op.input, ctx)
    case Algebra.types.MINUS: return evalMinus(op, ctx)
    case Algebra.types.FILTER: return evalFilter(op, ctx)
    case Algebra.types.EXTEND: return evalExtend(op, ctx)
    case Algebra.types.VALUES: return evalValues(op, ctx)
    case Algebra.types.GRAPH: return evalGraph(op, ctx)
    case Algebra.types.GROUP: return evalGroup(op, evaluate(op.input, ctx), ctx)
    case Algebra.types.ORDER_BY: return evalOrderBy(op, ctx)
    case Algebra.types.PROJECT: return evalProject(op, ctx)
    case Algebra.types.DISTINCT: return evalDistinct(evaluate(op.input, ctx))
    case Algebra.types.REDUCED: return evalDistinct(evaluate(op.input, ctx))
    case Algebra.types.SLICE: return evalSlice(op, ctx)
    case Algebra.types.FROM: return evaluate(op.input, withContext(ctx, {
      dataset: { defaultGraphs: op.default, namedGraphs: op.named }
    }))
    case Algebra.types.NOP: return single(ctx.seed ?? new Map())
    case Algebra.types.SERVICE: return evalService(op, ctx, ctx.seed ?? new Map())
    default: throw new SparqlUnsupportedError(`algebra operator ${op.type}`)
  }
}

/** Filters the planner pushed into a BGP, compiled once per query. */
function scanFilters (op: Algebra.Bgp, ctx: EvalContext): ScanFilter[] {
  const exprs = op.metadata?.filters as Algebra.Expression[] | undefined
  if (exprs === undefined) return []
  let compiled = ctx.shared.scanFilters.get(op)
  if (compiled === undefined) {
    compiled = exprs.map(e => {
      const c = compileExpression(e, exprEnv(ctx))
      return { vars: [...expressionVars(e)], test: (b: Bindings) => evaluateFilter(c, b) }
    })
    ctx.shared.scanFilters.set(op, compiled)
  }
  return compiled
}

function expressionVars (e: Algebra.Expression, out = new Set<string>()): Set<string> {
  if (e.expressionType === Algebra.expressionTypes.TERM && e.term.termType === 'Variable') out.add(e.term.value)
  if ('args' in e && Array.isArray(e.args)) for (const a of e.args as Algebra.Expression[]) expressionVars(a, out)
  return out
}

function exprEnv (ctx: EvalContext): { baseIRI: string | undefined, now: RDF.Literal, shared: EvalContext['shared'] } {
  return { baseIRI: ctx.baseIRI, now: ctx.now, shared: ctx.shared }
}

/** A compiled expression plus what its EXISTS parts need to run first. */
export interface PreparedExpression { compiled: Compiled, exists: Algebra.ExistenceExpression[] }

export function prepare (expr: Algebra.Expression, ctx: EvalContext): PreparedExpression {
  return { compiled: compileExpression(expr, exprEnv(ctx)), exists: existenceExpressions(expr) }
}

/** Evaluates the EXISTS parts of an expression for one solution (§18.6: substitution). */
export async function existsFor (exists: Algebra.ExistenceExpression[], b: Bindings, ctx: EvalContext): Promise<ExistsResults | undefined> {
  if (exists.length === 0) return undefined
  const results: ExistsResults = new Map()
  for (const e of exists) {
    let found = false
    for await (const _ of evaluate(e.input, withContext(ctx, { seed: b }))) { found = true; break }
    results.set(e, e.not ? !found : found)
  }
  return results
}

async function * evalFilter (op: Algebra.Filter, ctx: EvalContext): AsyncIterable<Bindings> {
  const { compiled, exists } = prepare(op.expression, ctx)
  for await (const b of evaluate(op.input, ctx)) {
    if (evaluateFilter(compiled, b, await existsFor(exists, b, ctx))) yield b
  }
}

async function * evalExtend (op: Algebra.Extend, ctx: EvalContext): AsyncIterable<Bindings> {
  const { compiled, exists } = prepare(op.expression, ctx)
  const name = op.variable.value
  for await (const b of evaluate(op.input, ctx)) {
    const v = evaluateOrUndefined(compiled, b, await existsFor(exists, b, ctx))
    if (v === undefined || b.has(name)) { yield b; continue }
    const out = new Map(b); out.set(name, v)
    // BNODE(str) must give one blank node per string within a solution, across BINDs.
    const scope = ctx.shared.bnodeScopes.get(b)
    if (scope !== undefined) ctx.shared.bnodeScopes.set(out, scope)
    yield out
  }
}

async function * evalValues (op: Algebra.Values, ctx: EvalContext): AsyncIterable<Bindings> {
  for (const row of op.bindings) {
    const b: Bindings = new Map()
    for (const [k, v] of Object.entries(row)) if (v !== undefined) b.set(k.startsWith('?') || k.startsWith('$') ? k.slice(1) : k, v)
    if (ctx.seed === undefined) { yield b; continue }
    const merged = mergeBindings(ctx.seed, b)
    if (merged !== undefined) yield merged
  }
}

async function * evalUnion (inputs: Algebra.Operation[], ctx: EvalContext): AsyncIterable<Bindings> {
  for (const input of inputs) yield * evaluate(input, ctx)
}

function metadataOf (inputs: Algebra.Operation[]): string[] | undefined {
  return (inputs as Algebra.Operation[] & { algorithms?: string[] }).algorithms
}

function evalJoin (inputs: Algebra.Operation[], ctx: EvalContext): AsyncIterable<Bindings> {
  if (inputs.length === 0) return single(ctx.seed ?? new Map())
  let stream = evaluate(inputs[0]!, ctx)
  let leftVars = possibleVariables(inputs[0]!)
  const algorithms = metadataOf(inputs)
  for (let i = 1; i < inputs.length; i++) {
    const right = inputs[i]!
    const rightVars = possibleVariables(right)
    stream = algorithms?.[i] === 'nested-loop' || needsSeed(right)
      ? nestedLoopJoin(stream, right, ctx)
      : hashJoin(stream, right, ctx, [...leftVars].filter(v => rightVars.has(v)))
    leftVars = new Set([...leftVars, ...rightVars])
  }
  return stream
}

async function * nestedLoopJoin (left: AsyncIterable<Bindings>, right: Algebra.Operation, ctx: EvalContext): AsyncIterable<Bindings> {
  for await (const l of left) {
    yield * evaluate(right, withContext(ctx, { seed: l }))
  }
}

/** Buckets solutions by the values of `keyVars`; solutions missing one go to `loose`. */
class HashTable {
  readonly buckets = new Map<string, Bindings[]>()
  readonly loose: Bindings[] = []
  all: Bindings[] = []
  constructor (readonly keyVars: string[]) {}
  key (b: Bindings): string | undefined {
    let k = ''
    for (const v of this.keyVars) {
      const t = b.get(v)
      if (t === undefined) return undefined
      k += sameTermKey(t) + '\u0001'
    }
    return k
  }

  add (b: Bindings): void {
    this.all.push(b)
    const k = this.key(b)
    if (k === undefined) { this.loose.push(b); return }
    let bucket = this.buckets.get(k)
    if (bucket === undefined) this.buckets.set(k, bucket = [])
    bucket.push(b)
  }

  * candidates (b: Bindings): Iterable<Bindings> {
    const k = this.key(b)
    if (k === undefined) { yield * this.all; return }
    const bucket = this.buckets.get(k)
    if (bucket !== undefined) yield * bucket
    yield * this.loose
  }
}

async function buildTable (op: Algebra.Operation, ctx: EvalContext, keyVars: string[]): Promise<HashTable> {
  const table = new HashTable(keyVars)
  let n = 0
  for await (const b of evaluate(op, ctx)) {
    if ((++n & 1023) === 0) { const turn = pace(ctx); if (turn !== undefined) await turn }
    table.add(b)
  }
  return table
}

async function * hashJoin (left: AsyncIterable<Bindings>, right: Algebra.Operation, ctx: EvalContext, keyVars: string[]): AsyncIterable<Bindings> {
  let table: HashTable | undefined
  for await (const l of left) {
    // Built on the first probe, so an empty left side never evaluates the right.
    table ??= await buildTable(right, ctx, keyVars)
    for (const r of table.candidates(l)) {
      const m = mergeBindings(l, r)
      if (m !== undefined) yield m
    }
  }
}

async function * evalLeftJoin (op: Algebra.LeftJoin, ctx: EvalContext): AsyncIterable<Bindings> {
  const [leftOp, rightOp] = op.input
  const filter = op.expression !== undefined ? prepare(op.expression, ctx) : undefined
  const passes = async (m: Bindings): Promise<boolean> =>
    filter === undefined || evaluateFilter(filter.compiled, m, await existsFor(filter.exists, m, ctx))
  if (op.metadata?.algorithm === 'nested-loop' || needsSeed(rightOp)) {
    for await (const l of evaluate(leftOp, ctx)) {
      let matched = false
      for await (const m of evaluate(rightOp, withContext(ctx, { seed: l }))) {
        if (await passes(m)) { matched = true; yield m }
      }
      if (!matched) yield l
    }
    return
  }
  const leftVars = possibleVariables(leftOp); const rightVars = possibleVariables(rightOp)
  let table: HashTable | undefined
  for await (const l of evaluate(leftOp, ctx)) {
    table ??= await buildTable(rightOp, ctx, [...leftVars].filter(v => rightVars.has(v)))
    let matched = false
    for (const r of table.candidates(l)) {
      const m = mergeBindings(l, r)
      if (m !== undefined && await passes(m)) { matched = true; yield m }
    }
    if (!matched) yield l
  }
}

async function * evalMinus (op: Algebra.Minus, ctx: EvalContext): AsyncIterable<Bindings> {
  const [leftOp, rightOp] = op.input
  let right: Bindings[] | undefined
  for await (const l of evaluate(leftOp, ctx)) {
    right ??= await collect(evaluate(rightOp, withContext(ctx, { seed: undefined })))
    const removed = right.some(r => compatible(l, r) && sharesVariable(l, r))
    if (!removed) yield l
  }
}

function sharesVariable (a: Bindings, b: Bindings): boolean {
  for (const k of a.keys()) if (b.has(k)) return true
  return false
}

async function collect<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

async function * evalGraph (op: Algebra.Graph, ctx: EvalContext): AsyncIterable<Bindings> {
  const name = op.name
  if (name.termType !== 'Variable') {
    const graphs = await namedGraphs(ctx)
    if (!graphs.some(g => g.equals(name))) return
    yield * evaluate(op.input, withContext(ctx, { activeGraph: name }))
    return
  }
  const seeded = ctx.seed?.get(name.value)
  if (op.input.type === Algebra.types.BGP && seeded === undefined && op.input.patterns.length > 0) {
    // One scan binds the graph variable instead of one evaluation per graph.
    yield * evaluate(op.input, withContext(ctx, { activeGraph: name }))
    return
  }
  const graphs = seeded !== undefined ? [seeded] : await namedGraphs(ctx)
  for (const g of graphs) {
    for await (const b of evaluate(op.input, withContext(ctx, { activeGraph: g }))) {
      const current = b.get(name.value)
      if (current !== undefined) { if (current.equals(g)) yield b; continue }
      const out = new Map(b); out.set(name.value, g); yield out
    }
  }
}

async function * evalOrderBy (op: Algebra.OrderBy, ctx: EvalContext): AsyncIterable<Bindings> {
  const keys = op.expressions.map(e => {
    const descending = e.expressionType === Algebra.expressionTypes.OPERATOR && e.operator === 'desc'
    const inner = descending ? (e as Algebra.OperatorExpression).args[0]! : e
    return { prepared: prepare(inner, ctx), descending }
  })
  const rows: Array<{ b: Bindings, values: Array<RDF.Term | undefined> }> = []
  for await (const b of evaluate(op.input, ctx)) {
    const values: Array<RDF.Term | undefined> = []
    for (const k of keys) values.push(evaluateOrUndefined(k.prepared.compiled, b, await existsFor(k.prepared.exists, b, ctx)))
    rows.push({ b, values })
  }
  checkSignal(ctx)
  rows.sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const c = orderTerms(x.values[i], y.values[i])
      if (c !== 0) return keys[i]!.descending ? -c : c
    }
    return 0
  })
  for (const r of rows) yield r.b
}

async function * evalProject (op: Algebra.Project, ctx: EvalContext): AsyncIterable<Bindings> {
  const names = op.variables.map(v => v.value)
  // A subquery sees none of the outer seed except through its projected variables.
  const seed = ctx.seed
  let inner = ctx
  if (seed !== undefined) {
    const projectedSeed: Bindings = new Map()
    for (const n of names) { const t = seed.get(n); if (t !== undefined) projectedSeed.set(n, t) }
    inner = withContext(ctx, { seed: projectedSeed.size > 0 ? projectedSeed : undefined })
  }
  for await (const b of evaluate(op.input, inner)) {
    const out: Bindings = new Map()
    for (const n of names) { const t = b.get(n); if (t !== undefined) out.set(n, t) }
    if (seed !== undefined) {
      const merged = mergeBindings(seed, out)
      if (merged !== undefined) yield merged
      continue
    }
    yield out
  }
}

async function * evalDistinct (input: AsyncIterable<Bindings>): AsyncIterable<Bindings> {
  const seen = new Set<string>()
  for await (const b of input) {
    const k = solutionKey(b)
    if (seen.has(k)) continue
    seen.add(k)
    yield b
  }
}

async function * evalSlice (op: Algebra.Slice, ctx: EvalContext): AsyncIterable<Bindings> {
  const start = op.start
  const end = op.length === undefined ? Infinity : start + op.length
  if (end <= start) return
  let i = 0
  for await (const b of evaluate(op.input, ctx)) {
    if (i >= start) yield b
    if (++i >= end) return
  }
}
