/**
 * Join groups on ids: the members of a group (triple patterns, VALUES, paths,
 * unions, ...) run one after another, each an index nested-loop join fed the rows
 * so far, whose lookups for a whole batch go to the source at once.
 *
 * The order is chosen at run time, greedily: first the member cheapest to start
 * from (the source's estimates, with VALUES looked through to the pattern it would
 * feed), then again and again the cheapest member connected to what is bound, its
 * cost estimated for a sample of the rows that would reach it (lookups plus
 * matches). A member sharing nothing with what is bound is evaluated once and
 * joined to every row. The order is fixed on a group's first batch of the run.
 * Cost: the order suits the first batch; later batches may differ. Sampling costs
 * a few estimates and capped lookups per member.
 */
import { type FilterSpec, type GroupNode, type IdNode, type ValuesNode } from './id-plan.js'
import { Rows } from './id-rows.js'
import { BATCH, type RunState, SAMPLE, applyFilter, joinValues, probeOf, valueOf } from './id-run.js'

/** A driving pattern estimated above this many matches is scanned lazily instead of read at once. */
const EAGER_LIMIT = 100_000

export interface Step {
  node: IdNode
  /** Correlated (an index nested-loop join), or evaluated once and joined (a product: nothing shared). */
  mode: 'probe' | 'once'
  lazy: boolean
  filters: FilterSpec[]
}

export async function * runGroup (node: GroupNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
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
  if (step.node.kind === 'pattern') return rs.run(step.node, rows, step.lazy)
  return rs.run(step.node, rows)
}

/** A member sharing no bound variable: evaluated once, every pair of compatible rows joined. */
async function * product (node: IdNode, rows: Rows, rs: RunState): AsyncIterable<Rows> {
  let built = rs.once.get(node)
  if (built === undefined) {
    built = new Rows(rows.width, 64)
    for await (const b of rs.run(node, Rows.single(rows.width))) for (let i = 0; i < b.length; i++) built.copyRow(b, i)
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
    const source = mode === 'once' ? product(node, sample, rs) : rs.run(node, sample)
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
    case 'values': return joinValues(node, sample, rs).length / n
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
  const fed = joinValues(values, sample, rs)
  if (fed.length === 0) return 0
  let least = Infinity
  for (const m of members) {
    if (m === values || m.kind === 'values' || !values.slots.some(s => m.vars.has(s))) continue
    const perRow = await estimateRows(m, fed.sample(SAMPLE), rs)
    least = Math.min(least, perRow * fed.length / Math.max(1, sample.length))
  }
  return least === Infinity ? 0 : least
}
