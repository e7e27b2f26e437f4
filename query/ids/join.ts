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
 * joined to every row; a pattern whose matches in all are far fewer than the rows
 * expected to look it up is read once and hashed (a hash join). The order is
 * fixed on a group's first batch of the run.
 * Cost: the order suits the first batch; later batches may differ. Sampling costs
 * a few estimates and capped lookups per member.
 */
import { type GroupNode, type IdNode, type ValuesNode } from './nodes.js'
import { Rows } from './rows.js'
import { BATCH, type RunState, SAMPLE, type Step, applyFilter, joinValues, probeOf, valueOf } from './run-state.js'

/** Thresholds of the join strategies (tests move them to run every strategy on small data). */
export const joinTuning = {
  /**
   * A driving pattern estimated above this many matches is scanned lazily instead
   * of read at once (reading at once is several times faster a row; a lazy scan
   * stops where a LIMIT does, and `lazyUnderLimit` applies under one).
   */
  eagerLimit: 250_000,
  lazyUnderLimit: 1_000,
  /** A hash join where the rows expected would make this many times more lookups than the member has matches. */
  hashRatio: 4
}

/** A member evaluated once for a run, with its rows indexed by the values of some slots (one index per set of slots). */
interface Table {
  rows: Rows
  indexes: Map<string, Map<number | string, number[]> | undefined>
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
  if (step.mode !== 'probe') return joinBuilt(step.node, step.keys, rows, rs)
  if (step.node.kind === 'pattern') return rs.run(step.node, rows, step.lazy)
  return rs.run(step.node, rows)
}

function keyOf (data: Uint32Array, at: number, keys: number[]): number | string | undefined {
  if (keys.length === 1) return data[at + keys[0]!] || undefined
  let key = ''
  for (const k of keys) {
    const v = data[at + k]!
    if (v === 0) return undefined
    key += `${v},`
  }
  return key
}

/** The member evaluated once for the run (on an all-unbound row), and its index on `keys`. */
async function tableOf (node: IdNode, keys: number[], width: number, rs: RunState): Promise<{ rows: Rows, index: Map<number | string, number[]> | undefined }> {
  let table = rs.once.get(node) as Table | undefined
  if (table === undefined) {
    const rows = new Rows(width, 64)
    // An isolated member is its input, evaluated on its own: build from that directly.
    const source = node.kind === 'isolated' ? node.input : node
    for await (const b of rs.run(source, Rows.single(width))) for (let i = 0; i < b.length; i++) rows.copyRow(b, i)
    table = { rows, indexes: new Map() }
    // While sampling, lookups are capped: what was built then is not the whole member.
    if (rs.sampling === 0) rs.once.set(node, table)
  }
  const signature = keys.join(',')
  if (!table.indexes.has(signature)) table.indexes.set(signature, indexOn(table.rows, keys))
  return { rows: table.rows, index: table.indexes.get(signature) }
}

function indexOn (rows: Rows, keys: number[]): Map<number | string, number[]> | undefined {
  if (keys.length === 0) return undefined
  const index = new Map<number | string, number[]>()
  for (let i = 0; i < rows.length; i++) {
    const key = keyOf(rows.data, i * rows.width, keys)
    if (key === undefined) return undefined
    const bucket = index.get(key)
    if (bucket === undefined) index.set(key, [i])
    else bucket.push(i)
  }
  return index
}

/**
 * Joins rows with a member evaluated once: through its hash index where a row
 * binds the keys, else with every one of its rows (a product where nothing is shared).
 */
export async function * joinBuilt (node: IdNode, keys: number[], rows: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = rows.width
  const table = await tableOf(node, keys, w, rs)
  const built = table.rows
  let every: number[] | undefined
  let out = new Rows(w, 64)
  for (let r = 0; r < rows.length; r++) {
    const key = table.index === undefined ? undefined : keyOf(rows.data, r * w, keys)
    const candidates = key === undefined ? (every ??= Array.from({ length: built.length }, (_, i) => i)) : table.index!.get(key) ?? []
    for (const i of candidates) {
      const at = out.copyRow(rows, r)
      for (let k = 0; k < w; k++) {
        const v = built.data[i * w + k]!
        if (v === 0) continue
        const cur = out.data[at + k]!
        if (cur === 0) out.data[at + k] = v
        else if (cur !== v) { out.pop(); break }
      }
    }
    if (out.length >= BATCH) { yield out; out = new Rows(w, 64) }
    await rs.tick(candidates.length)
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
  // Rows expected at this point of the pipeline, for the first batch.
  let expected = input.length
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
    let mode: Step['mode'] = connected.length === 0 && steps.length > 0 ? 'once' : 'probe'
    const keys = [...chosen.certain].filter(v => certain.has(v))
    if (chosen.kind === 'isolated') mode = keys.length > 0 ? 'hash' : 'once'
    if (mode === 'probe' && steps.length > 0 && chosen.kind === 'pattern' && keys.length > 0 && expected > joinTuning.hashRatio) {
      // Many rows to look up against a member with few matches in all: read it once and hash it.
      const whole = await estimateRows(chosen, Rows.single(input.width), rs)
      if (expected > joinTuning.hashRatio * whole) mode = 'hash'
    }
    for (const s of chosen.certain) certain.add(s)
    const ready = pending.filter(f => f.slots.every(s => certain.has(s)))
    for (const f of ready) pending.splice(pending.indexOf(f), 1)
    const eager = rs.island.limit < Infinity ? joinTuning.lazyUnderLimit : joinTuning.eagerLimit
    steps.push({ node: chosen, mode, keys, lazy: steps.length === 0 && bestEstimate * input.length > eager, filters: ready })
    expected *= Math.max(bestEstimate, 1e-3)
    // Once the sample runs dry, later members are ordered on estimates alone.
    if (remaining.length > 0 && !dry) {
      const after = await sampleAfter(chosen, mode === 'once' || chosen.kind === 'isolated' ? 'once' : 'probe', sample, rs)
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
    const source = mode === 'once' ? joinBuilt(node, [], sample, rs) : rs.run(node, sample)
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
    case 'optional': case 'minus': return await estimateRows(node.left, sample, rs)
    case 'aggregate': return 1
    // Evaluated on its own: what it yields alone, whatever is bound.
    case 'isolated': case 'project': return await estimateRows(node.input, Rows.single(sample.width), rs)
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
