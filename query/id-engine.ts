/**
 * The id-level engine: evaluates islands (id-plan.ts) on the source's integer
 * term ids (IdAccess), in batches of rows (id-rows.ts). Every node is evaluated
 * *correlated*: given a batch of rows it yields those rows extended with its
 * compatible solutions, so each join is an index nested-loop join (id-join.ts
 * orders a group's members) and a pattern's lookups for a whole batch go to the
 * source at once (`matchIds`). id-island.ts turns answers into terms.
 *
 * Invariant: the answers are those of the term-level evaluator (tests run both,
 * differentially and on the W3C suites).
 */
import type * as RDF from '@rdfjs/types'
import { evaluateOrUndefined } from './expressions.js'
import type { FilterSpec, IdNode, OptionalNode, PatternNode } from './id-plan.js'
import { runClosure } from './id-paths.js'
import { runGroup } from './id-join.js'
import { Rows } from './id-rows.js'
import { BATCH, type RunState, applyFilter, bindingsOf, joinValues, probeOf, resolveSlots } from './id-run.js'

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

function bindQuad (node: PatternNode, input: Rows, r: number, quads: Uint32Array, q: number, out: Rows, excluded: Set<number> | undefined): boolean {
  if (excluded !== undefined && excluded.has(quads[q + 1]!)) return false
  const at = out.copyRow(input, r)
  const data = out.data
  const positions = [node.s, node.p, node.o]
  for (let k = 0; k < 3; k++) {
    const slot = positions[k]!
    if (slot < 0) continue
    const value = quads[q + k]!
    const current = data[at + slot]!
    if (current === 0) data[at + slot] = value
    else if (current !== value) { out.pop(); return false }
  }
  return true
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
      for (let q = 0; q < quads.length; q += 4) bindQuad(node, input, 0, quads, q, out, excluded)
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
      for (const stop = ends[i]! * 4; q < stop; q += 4) bindQuad(node, input, r, quads, q, out, excluded)
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
  for await (const rows of rs.run(inputNode, input)) {
    await resolveSlots(spec, rows, rs)
    const values: Array<RDF.Term | undefined> = []
    for (let r = 0; r < rows.length; r++) values.push(evaluateOrUndefined(c, bindingsOf(spec, rows, r, rs)))
    const defined = values.filter((v): v is RDF.Term => v !== undefined)
    const ids = await rs.dict.ids(defined)
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
