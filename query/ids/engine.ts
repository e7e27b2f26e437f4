/**
 * The id-level engine: evaluates islands (plan.ts) on the source's integer
 * term ids (IdAccess), in batches of rows (rows.ts). Every node is evaluated
 * *correlated*: given a batch of rows it yields those rows extended with its
 * compatible solutions, so each join is an index nested-loop join (join.ts
 * orders a group's members) and a pattern's lookups for a whole batch go to the
 * source at once (`matchIds`). island.ts turns answers into terms.
 *
 * Invariant: the answers are those of the term-level evaluator (tests run both,
 * differentially and on the W3C suites).
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import { accumulator, evaluateOrUndefined, numericLiteral } from '../expr/index.js'
import type { Bindings } from '../context.js'
import type { AggregateNode, AggregateSpec, FilterSpec, IdNode, MinusNode, OptionalNode, PatternNode, ProjectNode } from './nodes.js'
import { runClosure } from './paths.js'
import { joinBuilt, runGroup } from './join.js'
import { Rows, rowKey } from './rows.js'
import { BATCH, type RunState, applyFilter, bindingsOf, joinValues, probeOf, resolveSlots } from './run-state.js'
import { df } from '../terms.js'

/** Lookups sent to the source at once, at most. */
const MAX_PROBES = 512

export function run (node: IdNode, input: Rows, rs: RunState, lazy = false): AsyncIterable<Rows> {
  switch (node.kind) {
    case 'pattern': return runPattern(node, input, rs, lazy)
    case 'values': return oneBatch(joinValues(node, input, rs))
    case 'group': return runGroup(node, input, rs)
    case 'union': return runUnion(node.branches, input, rs)
    case 'closure': return runClosure(node, input, rs)
    case 'filter': return runFilter(node.input, node.filter, input, rs)
    case 'extend': return runExtend(node.input, node.slot, node.expr, input, rs)
    case 'optional': return runOptional(node, input, rs)
    case 'minus': return runMinus(node, input, rs)
    case 'aggregate': return runAggregate(node, input, rs)
    case 'isolated': return joinBuilt(node, certainlyBound(node, input), input, rs)
    case 'project': return runProject(node, input, rs)
  }
}

/** The slots of `node` every row binds: the keys an isolated member is joined on. */
function certainlyBound (node: IdNode, rows: Rows): number[] {
  return [...node.certain].filter(s => {
    for (let r = 0; r < rows.length; r++) if (rows.data[r * rows.width + s] === 0) return false
    return true
  })
}

/**
 * A subquery's projection: only the kept slots stay bound. It runs isolated, on
 * one all-unbound row, so a row it yields is nothing but the subquery's answer.
 */
async function * runProject (node: ProjectNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  for (let k = 0; k < w; k++) if (input.length !== 1 || input.data[k] !== 0) throw new Error('a subquery runs isolated, on one unbound row')
  const seen = node.distinct ? new Set<string | number>() : undefined
  let skip = node.offset
  let left = node.limit
  for await (const rows of rs.run(node.input, input)) {
    const out = new Rows(w, rows.length)
    for (let r = 0; r < rows.length && left > 0; r++) {
      const at = out.addEmpty()
      for (const k of node.keep) out.data[at + k] = rows.data[r * w + k]!
      if (seen !== undefined) {
        const key = rowKey(out.data, at, node.keep)
        if (seen.has(key)) { out.pop(); continue }
        seen.add(key)
      }
      if (skip > 0) { skip--; out.pop(); continue }
      left--
    }
    if (out.length > 0) yield out
    if (left <= 0) return
  }
}

/** A set function's state over one group: COUNT on ids, the others on terms (expr/aggregates.ts). */
interface IdAccumulator {
  add: (rows: Rows, r: number, value: RDF.Term | undefined) => void
  result: () => RDF.Term | undefined
}

const NO_SOLUTION: Bindings = new Map()
/** Stands for "a value" where only its id is used. */
const NO_TERM = df.literal('')

/** COUNT(*) and COUNT(?v) run on ids alone. */
function countsIds (spec: AggregateSpec): boolean {
  const arg = spec.arg
  return spec.agg.aggregator === 'count' && (arg === undefined || (arg.expr.expressionType === Algebra.expressionTypes.TERM && arg.expr.term.termType === 'Variable'))
}

function idAccumulator (spec: AggregateSpec, node: AggregateNode): IdAccumulator {
  const { agg, arg } = spec
  if (countsIds(spec)) {
    const variable = arg?.slots[0]
    // COUNT(*) and COUNT(?v), DISTINCT or not: ids compare as terms do.
    let n = 0
    const seen = agg.distinct ? new Set<string | number>() : undefined
    const slots = arg === undefined ? node.named : [variable!]
    return {
      add: (rows, r) => {
        const at = r * rows.width
        if (variable !== undefined && rows.data[at + variable] === 0) return
        if (seen !== undefined) {
          const key = rowKey(rows.data, at, slots)
          if (seen.has(key)) return
          seen.add(key)
        }
        n++
      },
      result: () => numericLiteral('integer', n)
    }
  }
  const acc = accumulator(agg)
  return { add: (_rows, _r, value) => acc.add(value, NO_SOLUTION), result: () => acc.result() }
}

/** GROUP BY: every input row into its group (keyed by ids), then one row per group. */
async function * runAggregate (node: AggregateNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  // One row of `out` per group, holding its keys; the groups' states by group number.
  const out = new Rows(w, 64)
  const groupOf = new Map<string | number, number>()
  const accs: IdAccumulator[][] = []
  // Plain COUNT(*) and COUNT(?v) keep a number per group, nothing more.
  const plain = node.aggregates.map(a => countsIds(a) && !a.agg.distinct)
  const counts = node.aggregates.map(() => [] as number[])
  const newGroup = (rows: Rows, r: number): number => {
    const at = out.addEmpty()
    for (const k of node.keys) out.data[at + k] = rows.data[r * w + k]!
    accs.push(node.aggregates.map((a, i) => plain[i]! ? undefined as unknown as IdAccumulator : idAccumulator(a, node)))
    for (const c of counts) c.push(0)
    return out.length - 1
  }
  const general = node.aggregates.map(a => !countsIds(a))
  for await (const rows of rs.run(node.input, input)) {
    // Arguments other than a bare variable are evaluated on terms, a batch at a time.
    const values: Array<Array<RDF.Term | undefined> | undefined> = []
    for (let a = 0; a < node.aggregates.length; a++) {
      const arg = node.aggregates[a]!.arg
      if (!general[a] || arg === undefined) { values.push(undefined); continue }
      await resolveSlots(arg, rows, rs)
      const c = rs.expression(arg.expr)
      const column: Array<RDF.Term | undefined> = []
      for (let r = 0; r < rows.length; r++) column.push(evaluateOrUndefined(c, bindingsOf(arg, rows, r, rs)))
      values.push(column)
    }
    for (let r = 0; r < rows.length; r++) {
      const at = r * w
      const key = rowKey(rows.data, at, node.keys)
      let g = groupOf.get(key)
      if (g === undefined) groupOf.set(key, g = newGroup(rows, r))
      for (let a = 0; a < node.aggregates.length; a++) {
        if (plain[a]!) {
          const v = node.aggregates[a]!.arg?.slots[0]
          if (v === undefined || rows.data[at + v] !== 0) counts[a]![g]!++
        } else accs[g]![a]!.add(rows, r, values[a]?.[r])
      }
    }
    await rs.tick(rows.length)
  }
  if (out.length === 0 && node.keys.length === 0) newGroup(Rows.single(w), 0)
  // The functions' values turned into ids all at once.
  const results: RDF.Term[] = []
  const where: Array<[number, number]> = []
  for (let g = 0; g < out.length; g++) {
    for (let a = 0; a < node.aggregates.length; a++) {
      const t = plain[a]! ? numericLiteral('integer', counts[a]![g]!) : accs[g]![a]!.result()
      if (t !== undefined) { results.push(t); where.push([g * w, node.aggregates[a]!.slot]) }
    }
  }
  const ids = await rs.dict.ids(results)
  where.forEach(([at, slot], i) => { out.data[at + slot] = ids[i]! })
  // Under a bound row from above (a seed), a group agrees with what is bound or is dropped.
  const kept = new Rows(w, out.length)
  for (let i = 0; i < out.length; i++) {
    for (let r = 0; r < input.length; r++) {
      const at = kept.copyRow(out, i)
      let ok = true
      for (let k = 0; k < w && ok; k++) {
        const bound = input.data[r * w + k]!
        if (bound === 0) continue
        const mine = kept.data[at + k]!
        if (mine === 0) kept.data[at + k] = bound
        else if (mine !== bound) ok = false
      }
      if (!ok) kept.pop()
    }
  }
  if (kept.length > 0) yield kept
}

/**
 * The left rows that no right row removes (§18.5: compatible and sharing a bound
 * variable). The right side is evaluated once per run, on its own, and indexed
 * on the variables both sides bind for certain.
 */
async function * runMinus (node: MinusNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  let right = rs.once.get(node) as { rows: Rows, keys: number[], index: Map<string | number, number[]> } | undefined
  if (right === undefined) {
    const rows = new Rows(w, 64)
    for await (const b of rs.run(node.right, Rows.single(w))) for (let i = 0; i < b.length; i++) rows.copyRow(b, i)
    const keys = [...node.left.certain].filter(v => node.right.certain.has(v))
    const index = new Map<string | number, number[]>()
    for (let i = 0; i < rows.length; i++) {
      const key = rowKey(rows.data, i * w, keys)
      const bucket = index.get(key)
      if (bucket === undefined) index.set(key, [i])
      else bucket.push(i)
    }
    right = { rows, keys, index }
    if (rs.sampling === 0) rs.once.set(node, right)
  }
  const { rows: built, keys, index } = right
  for await (const left of rs.run(node.left, input)) {
    const out = new Rows(w, left.length)
    for (let r = 0; r < left.length; r++) {
      const at = r * w
      let removed = false
      for (const i of index.get(rowKey(left.data, at, keys)) ?? []) {
        let compatible = true; let shared = false
        for (let k = 0; k < w && compatible; k++) {
          const a = left.data[at + k]!; const b = built.data[i * w + k]!
          if (a === 0 || b === 0) continue
          if (a !== b) compatible = false
          else shared = true
        }
        if (compatible && shared) { removed = true; break }
      }
      if (!removed) out.copyRow(left, r)
    }
    if (out.length > 0) yield out
    await rs.tick(left.length)
  }
}

/** Each left row with its right extensions that pass the filter, or alone when none does. */
async function * runOptional (node: OptionalNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  for await (const left of rs.run(node.left, input)) {
    const tagged = new Rows(w, left.length)
    for (let r = 0; r < left.length; r++) tagged.data[tagged.copyRow(left, r) + node.origin] = r + 1
    const matched = new Uint8Array(left.length)
    let out = new Rows(w, 64)
    for await (const found of rs.run(node.right, tagged)) {
      const kept = node.expr === undefined ? found : await applyFilter(node.expr, found, rs)
      for (let i = 0; i < kept.length; i++) {
        const at = out.copyRow(kept, i)
        matched[out.data[at + node.origin]! - 1] = 1
        out.data[at + node.origin] = 0
      }
      if (out.length >= BATCH) { yield out; out = new Rows(w, 64) }
    }
    for (let r = 0; r < left.length; r++) if (matched[r] === 0) out.copyRow(left, r)
    if (out.length > 0) yield out
  }
}

async function * oneBatch (rows: Rows): AsyncIterable<Rows> {
  if (rows.length > 0) yield rows
}

function bindQuad (node: PatternNode, input: Rows, r: number, quads: Uint32Array, q: number, out: Rows, excluded: Set<number> | undefined, rs: RunState): boolean {
  if (excluded !== undefined && excluded.has(quads[q + 1]!)) return false
  if (node.g !== undefined && quads[q + 3] === rs.defaultGraph) return false
  const at = out.copyRow(input, r)
  if (bindSlot(out.data, at, node.s, quads[q]!) && bindSlot(out.data, at, node.p, quads[q + 1]!) && bindSlot(out.data, at, node.o, quads[q + 2]!) &&
    (node.g === undefined || bindSlot(out.data, at, node.g, quads[q + 3]!))) return true
  out.pop()
  return false
}

/** Binds a slot of the row at `at` to `value`, or checks it agrees; a constant position (< 0) agrees. */
function bindSlot (data: Uint32Array, at: number, slot: number, value: number): boolean {
  if (slot < 0) return true
  const current = data[at + slot]!
  if (current === 0) { data[at + slot] = value; return true }
  return current === value
}

function excludedIds (node: PatternNode, rs: RunState): Set<number> | undefined {
  if (node.exclude === undefined) return undefined
  return new Set(node.exclude.map(c => rs.constants[-1 - c]!))
}

async function * runPattern (node: PatternNode, input: Rows, rs: RunState, lazy: boolean): AsyncIterable<Rows> {
  const w = input.width
  const excluded = excludedIds(node, rs)
  let out = new Rows(w, 64)
  if (lazy && input.length === 1) {
    const probe = new Uint32Array(4)
    if (!probeOf(node, input.data, 0, rs, probe, 0)) return
    for await (const quads of rs.access.scanIds(probe, { signal: rs.ctx.signal })) {
      for (let q = 0; q < quads.length; q += 4) bindQuad(node, input, 0, quads, q, out, excluded, rs)
      await rs.tick(quads.length / 4)
      if (out.length >= BATCH) { yield out; out = new Rows(w, 64) }
    }
    if (out.length > 0) yield out
    return
  }
  let chunk = Math.min(MAX_PROBES, 64)
  const rowOf = new Uint32Array(MAX_PROBES)
  for (let start = 0; start < input.length;) {
    const end = Math.min(input.length, start + chunk)
    const probes = new Uint32Array((end - start) * 4)
    let n = 0
    for (let r = start; r < end; r++) {
      if (probeOf(node, input.data, r * w, rs, probes, n * 4)) rowOf[n++] = r
    }
    start = end
    if (n === 0) continue
    const { quads, ends } = await rs.match(n * 4 === probes.length ? probes : probes.subarray(0, n * 4))
    let q = 0
    for (let i = 0; i < n; i++) {
      const r = rowOf[i]!
      for (const stop = ends[i]! * 4; q < stop; q += 4) bindQuad(node, input, r, quads, q, out, excluded, rs)
    }
    // Aim at about a batch of matches per call.
    const fanout = quads.length / 4 / n
    chunk = Math.max(1, Math.min(MAX_PROBES, Math.floor(BATCH / Math.max(fanout, 0.25))))
    if (out.length >= BATCH) { yield out; out = new Rows(w, 64) }
  }
  if (out.length > 0) yield out
}

/** Per row, per VALUES row: the compatible combinations. */
async function * runUnion (branches: IdNode[], input: Rows, rs: RunState): AsyncIterable<Rows> {
  for (const b of branches) yield * rs.run(b, input)
}

/** The solution of row `r` for the variables of an expression. */
async function * runFilter (inputNode: IdNode, spec: FilterSpec, input: Rows, rs: RunState): AsyncIterable<Rows> {
  for await (const rows of rs.run(inputNode, input)) {
    const kept = await applyFilter(spec, rows, rs)
    if (kept.length > 0) yield kept
  }
}

async function * runExtend (inputNode: IdNode, slot: number, spec: FilterSpec, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const c = rs.expression(spec.expr)
  // BIND(?v AS ?w), as a projection's renaming of an aggregate: the id itself.
  const copied = spec.expr.expressionType === Algebra.expressionTypes.TERM && spec.expr.term.termType === 'Variable' ? spec.slots[0] : undefined
  for await (const rows of rs.run(inputNode, input)) {
    let values: Array<RDF.Term | undefined> = []
    let ids: Uint32Array
    if (copied === undefined) {
      await resolveSlots(spec, rows, rs)
      for (let r = 0; r < rows.length; r++) values.push(evaluateOrUndefined(c, bindingsOf(spec, rows, r, rs)))
      ids = await rs.dict.ids(values.filter((v): v is RDF.Term => v !== undefined))
    } else {
      ids = new Uint32Array(rows.length)
      let n = 0
      for (let r = 0; r < rows.length; r++) { const id = rows.data[r * rows.width + copied]!; if (id !== 0) ids[n++] = id }
      values = Array.from({ length: rows.length }, (_, r) => rows.data[r * rows.width + copied] === 0 ? undefined : NO_TERM)
    }
    const out = new Rows(rows.width, rows.length)
    let k = 0
    for (let r = 0; r < rows.length; r++) {
      if (values[r] === undefined) { out.copyRow(rows, r); continue }
      const id = ids[k++]!
      const current = rows.data[r * rows.width + slot]!
      // Join semantics: a value bound before must agree (SPARQL forbids it within one group).
      if (current !== 0 && current !== id) continue
      const at = out.copyRow(rows, r)
      out.data[at + slot] = id
    }
    if (out.length > 0) yield out
  }
}
