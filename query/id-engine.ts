/**
 * The id-level engine: evaluates islands (id-plan.ts) on the source's integer
 * term ids (IdAccess), in batches of rows (id-rows.ts), and turns only the
 * answers into RDF/JS terms.
 *
 * Every node is evaluated *correlated*: given a batch of rows it yields those
 * rows extended with its compatible solutions, so each join is an index
 * nested-loop join whose lookups for a whole batch go to the source at once
 * (`matchIds`). A join group is ordered at run time, greedily: first the member
 * that is cheapest to start from (the source's estimates, with VALUES looked
 * through to the pattern they feed), then, again and again, the cheapest member
 * connected to what is bound, its cost measured by estimating its lookups for a
 * sample of the rows that reach it. The order is fixed on a group's first batch.
 *
 * Invariant: the answers are those of the term-level evaluator (tests run both,
 * differentially and on the W3C suites). Cost: the order chosen on the first
 * batch may suit later batches less; samples cost a few estimates per member.
 */
import type * as RDF from '@rdfjs/types'
import type { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal } from './context.js'
import { type Compiled, compileExpression, evaluateFilter, evaluateOrUndefined } from './expressions.js'
import { type FilterSpec, type GroupNode, type IdNode, type Island, type OptionalNode, type PatternNode, type ValuesNode, compileIsland } from './id-plan.js'
import { runClosure } from './id-paths.js'
import { Dictionary, LOCAL_BASE, Rows } from './id-rows.js'
import type { IdAccess } from './source.js'
import { df } from './terms.js'

/** Rows a node yields at a time, about. */
const BATCH = 1024
/** Lookups sent to the source at once, at most. */
const MAX_PROBES = 512
/** A driving pattern estimated above this many matches is scanned lazily instead of read at once. */
const EAGER_LIMIT = 100_000
/** Rows sampled to estimate a member's cost. */
const SAMPLE = 8
/** Matches read per lookup while sampling. */
const SAMPLE_MATCHES = 64

interface Step {
  node: IdNode
  /** Correlated (an index nested-loop join), or evaluated once and joined (a product: nothing shared). */
  mode: 'probe' | 'once'
  lazy: boolean
  filters: FilterSpec[]
}

/** What one run of one island needs: the source, ids of its constants, plans and caches. */
export class RunState {
  readonly dict: Dictionary
  readonly plans = new Map<GroupNode, Step[]>()
  readonly once = new Map<IdNode, Rows>()
  private readonly compiled = new Map<Algebra.Expression, Compiled>()
  private nodes: number[] | undefined
  private readonly graphNodeCache = new Map<number, boolean>()
  private lastTurn = 0

  constructor (
    readonly ctx: EvalContext,
    readonly access: IdAccess,
    readonly island: Island,
    readonly constants: Uint32Array,
    /** Id of the active graph; LOCAL_BASE when the source holds no such graph. */
    readonly graph: number,
    dict: Dictionary
  ) {
    this.dict = dict
  }

  get width (): number { return this.island.width }

  expression (e: Algebra.Expression): Compiled {
    let c = this.compiled.get(e)
    if (c === undefined) {
      c = compileExpression(e, { baseIRI: this.ctx.baseIRI, now: this.ctx.now, shared: this.ctx.shared })
      this.compiled.set(e, c)
    }
    return c
  }

  check (): void { checkSignal(this.ctx) }

  /** Counts work and, now and then, lets timers (timeouts, aborts) run. */
  async tick (work: number): Promise<void> {
    const shared = this.ctx.shared
    shared.steps += work
    checkSignal(this.ctx)
    if (shared.steps - this.lastTurn < 16_384) return
    this.lastTurn = shared.steps
    await new Promise<void>(resolve => setImmediate(resolve))
    checkSignal(this.ctx)
  }

  private readonly estimates = new Map<string, number>()

  /** The source's estimates for id patterns (four ids each), remembered for the run. */
  async estimate (probes: Uint32Array): Promise<number[]> {
    const out: number[] = []
    const keys: string[] = []
    let missing: number[] | undefined
    for (let i = 0; i < probes.length; i += 4) {
      const key = `${probes[i]!},${probes[i + 1]!},${probes[i + 2]!},${probes[i + 3]!}`
      keys.push(key)
      const known = this.estimates.get(key)
      if (known === undefined) (missing ??= []).push(i >> 2)
      out.push(known ?? 0)
    }
    if (missing === undefined) return out
    const ask = new Uint32Array(missing.length * 4)
    missing.forEach((p, k) => ask.set(probes.subarray(p * 4, p * 4 + 4), k * 4))
    const found = await this.access.estimateIds(ask)
    missing.forEach((p, k) => { out[p] = found[k]!; this.estimates.set(keys[p]!, found[k]!) })
    return out
  }

  /** Above 0 while a plan is being sampled: lookups then read a few matches each. */
  sampling = 0

  async match (probes: Uint32Array, limit?: number): Promise<{ quads: Uint32Array, ends: Uint32Array }> {
    const found = await this.access.matchIds(probes, { limit: limit ?? (this.sampling > 0 ? SAMPLE_MATCHES : undefined), signal: this.ctx.signal })
    await this.tick(found.quads.length / 4 + probes.length / 4)
    return found
  }

  /** Whether the term of `id` is a subject or object in the active graph. */
  async isGraphNode (id: number): Promise<boolean> {
    if (id >= LOCAL_BASE) return false
    let known = this.graphNodeCache.get(id)
    if (known === undefined) {
      const { quads } = await this.match(Uint32Array.of(id, 0, 0, this.graph, 0, 0, id, this.graph), 1)
      known = quads.length > 0
      this.graphNodeCache.set(id, known)
    }
    return known
  }

  /** Every subject and object of the active graph. */
  async graphNodes (): Promise<number[]> {
    if (this.nodes === undefined) {
      const seen = new Set<number>()
      if (this.graph < LOCAL_BASE) {
        for await (const batch of this.access.scanIds(Uint32Array.of(0, 0, 0, this.graph), { signal: this.ctx.signal })) {
          for (let i = 0; i < batch.length; i += 4) { seen.add(batch[i]!); seen.add(batch[i + 2]!) }
          await this.tick(batch.length / 4)
        }
      }
      this.nodes = [...seen]
    }
    return this.nodes
  }
}

export function run (node: IdNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  switch (node.kind) {
    case 'pattern': return runPattern(node, input, rs, false)
    case 'values': return oneBatch(runValues(node, input, rs))
    case 'group': return runGroup(node, input, rs)
    case 'union': return runUnion(node.branches, input, rs)
    case 'closure': return runClosure(node, input, rs, run)
    case 'filter': return runFilter(node.input, node.filter, input, rs)
    case 'extend': return runExtend(node.input, node.slot, node.expr, input, rs)
    case 'optional': return runOptional(node, input, rs)
  }
}

/** Each left row with its right extensions that pass the filter, or alone when none does. */
async function * runOptional (node: OptionalNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  for await (const left of run(node.left, input, rs)) {
    const tagged = new Rows(w, left.length)
    for (let r = 0; r < left.length; r++) tagged.data[tagged.copyRow(left, r) + node.origin] = r + 1
    const matched = new Uint8Array(left.length)
    let out = new Rows(w, 64)
    for await (const found of run(node.right, tagged, rs)) {
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

function valueOf (pos: number, data: Uint32Array, at: number, rs: RunState): number {
  return pos < 0 ? rs.constants[-1 - pos]! : data[at + pos]!
}

/** Fills four probe slots for row `at`; false when the row cannot match (a local id, or no such graph). */
function probeOf (node: PatternNode, data: Uint32Array, at: number, rs: RunState, probes: Uint32Array, k: number): boolean {
  const s = valueOf(node.s, data, at, rs); const p = valueOf(node.p, data, at, rs); const o = valueOf(node.o, data, at, rs)
  if (s >= LOCAL_BASE || p >= LOCAL_BASE || o >= LOCAL_BASE || rs.graph >= LOCAL_BASE) return false
  probes[k] = s; probes[k + 1] = p; probes[k + 2] = o; probes[k + 3] = rs.graph
  return true
}

/** Extends row `r` of `input` with quad `q`; false (and nothing added) when they disagree. */
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
function runValues (node: ValuesNode, input: Rows, rs: RunState): Rows {
  const w = input.width
  const out = new Rows(w, Math.max(16, input.length))
  const rows = node.rows.map(r => r.map(c => c === undefined ? 0 : rs.constants[-1 - c]!))
  const slots = node.slots
  for (let r = 0; r < input.length; r++) {
    const base = r * w
    for (const vrow of rows) {
      let ok = true
      for (let k = 0; k < slots.length; k++) {
        const v = vrow[k]!; const cur = input.data[base + slots[k]!]!
        if (v !== 0 && cur !== 0 && v !== cur) { ok = false; break }
      }
      if (!ok) continue
      const at = out.copyRow(input, r)
      for (let k = 0; k < slots.length; k++) {
        const v = vrow[k]!
        if (v !== 0) out.data[at + slots[k]!] = v
      }
    }
  }
  return out
}

async function * runUnion (branches: IdNode[], input: Rows, rs: RunState): AsyncIterable<Rows> {
  for (const b of branches) yield * run(b, input, rs)
}

/** The solution of row `r` for the variables of an expression. */
function bindingsOf (spec: FilterSpec, rows: Rows, r: number, rs: RunState): Bindings {
  const b: Bindings = new Map()
  const base = r * rows.width
  for (let k = 0; k < spec.slots.length; k++) {
    const id = rows.data[base + spec.slots[k]!]!
    if (id !== 0) b.set(spec.names[k]!, rs.dict.term(id))
  }
  return b
}

async function resolveSlots (spec: FilterSpec, rows: Rows, rs: RunState): Promise<void> {
  if (spec.slots.length === 0) return
  const ids: number[] = []
  for (let r = 0; r < rows.length; r++) for (const s of spec.slots) ids.push(rows.data[r * rows.width + s]!)
  await rs.dict.resolve(ids)
}

async function applyFilter (spec: FilterSpec, rows: Rows, rs: RunState): Promise<Rows> {
  await resolveSlots(spec, rows, rs)
  const c = rs.expression(spec.expr)
  const out = new Rows(rows.width, rows.length)
  for (let r = 0; r < rows.length; r++) if (evaluateFilter(c, bindingsOf(spec, rows, r, rs))) out.copyRow(rows, r)
  return out
}

async function * runFilter (inputNode: IdNode, spec: FilterSpec, input: Rows, rs: RunState): AsyncIterable<Rows> {
  for await (const rows of run(inputNode, input, rs)) {
    const kept = await applyFilter(spec, rows, rs)
    if (kept.length > 0) yield kept
  }
}

async function * runExtend (inputNode: IdNode, slot: number, spec: FilterSpec, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const c = rs.expression(spec.expr)
  for await (const rows of run(inputNode, input, rs)) {
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

// ---- join groups -------------------------------------------------------------

async function * runGroup (node: GroupNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  let steps = rs.plans.get(node)
  if (steps === undefined) {
    steps = await planGroup(node, input, rs)
    rs.plans.set(node, steps)
  }
  const initial = steps.length === 0 ? node.filters : []
  let rows = input
  for (const f of initial) rows = await applyFilter(f, rows, rs)
  if (rows.length > 0) yield * pipe(steps, 0, rows, rs)
}

async function * pipe (steps: Step[], k: number, rows: Rows, rs: RunState): AsyncIterable<Rows> {
  if (k === steps.length) { yield rows; return }
  const step = steps[k]!
  for await (const batch of runStep(step, rows, rs)) {
    let kept = batch
    for (const f of step.filters) if (kept.length > 0) kept = await applyFilter(f, kept, rs)
    if (kept.length > 0) yield * pipe(steps, k + 1, kept, rs)
  }
}

function runStep (step: Step, rows: Rows, rs: RunState): AsyncIterable<Rows> {
  if (step.mode === 'once') return product(step.node, rows, rs)
  if (step.node.kind === 'pattern') return runPattern(step.node, rows, rs, step.lazy)
  return run(step.node, rows, rs)
}

/** A member sharing no bound variable: evaluated once, every pair of compatible rows joined. */
async function * product (node: IdNode, rows: Rows, rs: RunState): AsyncIterable<Rows> {
  let built = rs.once.get(node)
  if (built === undefined) {
    built = new Rows(rows.width, 64)
    for await (const b of run(node, Rows.single(rows.width), rs)) for (let i = 0; i < b.length; i++) built.copyRow(b, i)
    // While sampling, lookups are capped: what was built then is not the whole member.
    if (rs.sampling === 0) rs.once.set(node, built)
  }
  const w = rows.width
  let out = new Rows(w, 64)
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < built.length; i++) {
      const at = out.copyRow(rows, r)
      let ok = true
      for (let k = 0; k < w; k++) {
        const v = built.data[i * w + k]!
        if (v === 0) continue
        const cur = out.data[at + k]!
        if (cur === 0) out.data[at + k] = v
        else if (cur !== v) { ok = false; break }
      }
      if (!ok) out.pop()
    }
    if (out.length >= BATCH) { yield out; out = new Rows(w, 64) }
    await rs.tick(built.length)
  }
  if (out.length > 0) yield out
}

/** Slots bound in some row of `rows`. */
function boundSlots (rows: Rows): Set<number> {
  const out = new Set<number>()
  for (let r = 0; r < rows.length; r++) for (let k = 0; k < rows.width; k++) if (rows.data[r * rows.width + k] !== 0) out.add(k)
  return out
}

/**
 * Orders a group's members (see the module comment). Cost of a member for a row:
 * lookups plus matches; VALUES costs its rows plus the matches of the cheapest
 * pattern it would then feed, so that a small VALUES drives only where the
 * pattern it binds is cheaper that way than on its own.
 */
async function planGroup (node: GroupNode, input: Rows, rs: RunState): Promise<Step[]> {
  const remaining = [...node.members]
  const steps: Step[] = []
  let sample = input.sample(SAMPLE)
  const certain = new Set<number>()
  const pending = [...node.filters]
  let dry = false
  while (remaining.length > 0) {
    const bound = boundSlots(sample)
    for (const s of certain) bound.add(s)
    const connected = remaining.filter(m => m.vars.size === 0 || [...m.vars].some(v => bound.has(v)))
    const candidates = connected.length > 0 ? connected : remaining
    let best = 0; let bestCost = Infinity; let bestEstimate = Infinity
    for (let i = 0; i < candidates.length; i++) {
      const m = candidates[i]!
      const estimate = await estimateRows(m, sample, rs)
      let cost = (m.kind === 'values' ? 0 : 1) + estimate
      if (m.kind === 'values') cost += await lookahead(m, remaining, sample, rs)
      if (cost < bestCost) { best = i; bestCost = cost; bestEstimate = estimate }
    }
    const chosen = candidates[best]!
    remaining.splice(remaining.indexOf(chosen), 1)
    const mode = connected.length === 0 && steps.length > 0 ? 'once' : 'probe'
    for (const s of chosen.certain) certain.add(s)
    const ready = pending.filter(f => f.slots.every(s => certain.has(s)))
    for (const f of ready) pending.splice(pending.indexOf(f), 1)
    steps.push({ node: chosen, mode, lazy: steps.length === 0 && bestEstimate * input.length > EAGER_LIMIT, filters: ready })
    // Once the sample runs dry, later members are ordered on estimates alone.
    if (remaining.length > 0 && !dry) {
      const after = await sampleAfter(chosen, mode, sample, rs)
      if (after.length === 0) dry = true
      else sample = after
    }
  }
  // Filters whose variables no member binds for certain (none, after the planner's pushdown) run last.
  if (pending.length > 0 && steps.length > 0) steps[steps.length - 1]!.filters.push(...pending)
  return steps
}

/** Some of the rows after `node` for the sample rows (each lookup capped while sampling). */
async function sampleAfter (node: IdNode, mode: Step['mode'], sample: Rows, rs: RunState): Promise<Rows> {
  if (sample.length === 0) return sample
  const out = new Rows(sample.width, 64)
  rs.sampling++
  try {
    const source = mode === 'once' ? product(node, sample, rs) : run(node, sample, rs)
    for await (const b of source) {
      for (let i = 0; i < b.length; i++) out.copyRow(b, i)
      if (out.length >= 256) break
    }
  } finally {
    rs.sampling--
  }
  return out.sample(SAMPLE)
}

/** Average rows a member yields for one row of `sample`. */
async function estimateRows (node: IdNode, sample: Rows, rs: RunState): Promise<number> {
  const n = Math.max(1, sample.length)
  switch (node.kind) {
    case 'pattern': {
      const probes = new Uint32Array(sample.length * 4)
      let k = 0
      for (let r = 0; r < sample.length; r++) if (probeOf(node, sample.data, r * sample.width, rs, probes, k * 4)) k++
      if (k === 0) return 0
      const estimates = await rs.estimate(probes.subarray(0, k * 4))
      let total = 0
      for (let i = 0; i < k; i++) total += estimates[i]!
      return total / n
    }
    case 'values': return runValues(node, sample, rs).length / n
    case 'union': {
      let total = 0
      for (const b of node.branches) total += await estimateRows(b, sample, rs)
      return total
    }
    case 'group': {
      let least = Infinity
      for (const m of node.members) least = Math.min(least, await estimateRows(m, sample, rs))
      return least === Infinity ? 1 : least
    }
    case 'filter': case 'extend': return await estimateRows(node.input, sample, rs)
    case 'optional': return await estimateRows(node.left, sample, rs)
    case 'closure': {
      // From a bound end: about a few steps' worth of what one step reaches.
      const starts = new Rows(sample.width, sample.length)
      for (let r = 0; r < sample.length; r++) {
        const at = starts.addEmpty()
        const sv = valueOf(node.s, sample.data, r * sample.width, rs)
        const ov = valueOf(node.o, sample.data, r * sample.width, rs)
        if (sv !== 0) starts.data[at + node.a] = sv
        else if (ov !== 0) starts.data[at + node.b] = ov
        else return 1e7
      }
      return 1 + 4 * await estimateRows(node.step, starts, rs)
    }
  }
}

/** For VALUES: the matches of the cheapest other member it would feed next (0 if it feeds none). */
async function lookahead (values: ValuesNode, members: IdNode[], sample: Rows, rs: RunState): Promise<number> {
  const fed = runValues(values, sample, rs)
  if (fed.length === 0) return 0
  let least = Infinity
  for (const m of members) {
    if (m === values || m.kind === 'values' || !values.slots.some(s => m.vars.has(s))) continue
    const perRow = await estimateRows(m, fed.sample(SAMPLE), rs)
    least = Math.min(least, perRow * fed.length / Math.max(1, sample.length))
  }
  return least === Infinity ? 0 : least
}

// ---- islands -----------------------------------------------------------------

const islands = new WeakMap<Algebra.Operation, Island | null>()

/**
 * The solutions of `op` evaluated on term ids, or undefined where the id-level
 * engine does not apply (no IdAccess, another dataset or graph context, or an
 * operator it does not cover).
 */
export function evaluateIsland (op: Algebra.Operation, ctx: EvalContext): AsyncIterable<Bindings> | undefined {
  const access = ctx.source.ids
  if (access === undefined || !ctx.optimize) return undefined
  if (ctx.dataset.defaultGraphs !== 'store') return undefined
  const graph = ctx.activeGraph
  if (graph !== undefined && graph.termType !== 'NamedNode' && graph.termType !== 'BlankNode') return undefined
  let island = islands.get(op)
  if (island === undefined) {
    island = compileIsland(op) ?? null
    islands.set(op, island)
  }
  if (island === null) return undefined
  // A seeded projection is a subquery: the term level scopes its variables.
  if (ctx.seed !== undefined && ctx.seed.size > 0 && (island.project !== undefined || island.distinct || island.offset > 0 || island.limit < Infinity)) return undefined
  return new Solutions(() => solutionBatches(island, access, ctx, graph ?? df.defaultGraph()))
}

/**
 * An island's solutions, also readable a batch at a time (`batches`), which the
 * query's outermost consumer uses to save an asynchronous step per solution.
 */
export class Solutions implements AsyncIterable<Bindings> {
  constructor (readonly batches: () => AsyncIterator<Bindings[]>) {}

  async * [Symbol.asyncIterator] (): AsyncIterator<Bindings> {
    const it = this.batches()
    try {
      while (true) {
        const next = await it.next()
        if (next.done === true) return
        yield * next.value
      }
    } finally {
      await it.return?.()
    }
  }
}


async function * solutionBatches (island: Island, access: IdAccess, ctx: EvalContext, graph: RDF.Term): AsyncGenerator<Bindings[]> {
  checkSignal(ctx)
  if (island.limit === 0) return
  const dict = new Dictionary(access)
  const [constants, graphIds] = await Promise.all([dict.ids(island.constants), access.termIds([graph])])
  const graphId = graphIds[0] === 0 ? LOCAL_BASE : graphIds[0]!
  const rs = new RunState(ctx, access, island, constants, graphId, dict)
  const seed = ctx.seed !== undefined && ctx.seed.size > 0 ? ctx.seed : undefined
  const start = Rows.single(island.width)
  if (seed !== undefined) {
    const entries = [...seed].filter(([k]) => island.names.includes(k))
    const ids = await dict.ids(entries.map(([, t]) => t))
    entries.forEach(([k], i) => { start.data[island.names.indexOf(k)] = ids[i]! })
  }
  const out = island.project ?? island.names.flatMap((n, i) => n === '' ? [] : [i])
  const outNames = out.map(s => island.names[s]!)
  const seen = island.distinct ? new Set<string | number>() : undefined
  let skip = island.offset
  let left = island.limit
  const w = island.width
  for await (const rows of run(island.body, start, rs)) {
    // The rows kept (DISTINCT, OFFSET, LIMIT), then the terms of their ids in one request.
    const kept: number[] = []
    for (let r = 0; r < rows.length && kept.length < left; r++) {
      const base = r * w
      if (seen !== undefined) {
        let key: string | number
        if (out.length === 1) key = rows.data[base + out[0]!]!
        else { key = ''; for (const s of out) key += `${rows.data[base + s]!},` }
        if (seen.has(key)) continue
        seen.add(key)
      }
      if (skip > 0) { skip--; continue }
      kept.push(r)
    }
    if (kept.length === 0) continue
    const ids = new Uint32Array(kept.length * out.length)
    let k = 0
    for (const r of kept) for (const s of out) ids[k++] = rows.data[r * w + s]!
    const terms = await termsOf(ids, dict)
    const batch: Bindings[] = []
    k = 0
    for (let i = 0; i < kept.length; i++) {
      const b: Bindings = seed !== undefined ? new Map(seed) : new Map()
      for (let j = 0; j < out.length; j++, k++) {
        const t = terms[k]
        if (t !== undefined) b.set(outNames[j]!, t)
      }
      batch.push(b)
    }
    left -= batch.length
    yield batch
    if (left <= 0) return
  }
}

/** The terms of ids (undefined for 0): the source's in one request, local ones from the dictionary. */
async function termsOf (ids: Uint32Array, dict: Dictionary): Promise<Array<RDF.Term | undefined>> {
  let stored = 0
  for (const id of ids) if (id !== 0 && id < LOCAL_BASE) stored++
  const fromSource = stored === ids.length ? await dict.access.idTerms(ids) : undefined
  if (fromSource !== undefined) return fromSource
  const ask: number[] = []
  for (const id of ids) if (id !== 0 && id < LOCAL_BASE) ask.push(id)
  const found = ask.length === 0 ? [] : await dict.access.idTerms(ask)
  const out = new Array<RDF.Term | undefined>(ids.length)
  let k = 0
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!
    out[i] = id === 0 ? undefined : id >= LOCAL_BASE ? dict.term(id) : found[k++]
  }
  return out
}
