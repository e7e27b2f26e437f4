/**
 * The state of one run of one island (plan.ts) and what every node evaluator
 * shares: the source's id access, the ids of the island's constants, the active
 * graph's id, plans and caches for the run, the work counter that lets timers
 * fire, and the helpers that read rows (pattern lookups, VALUES, expressions).
 */
import type { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal } from '../context.js'
import { type Compiled, compileExpression, evaluateFilter } from '../expr/index.js'
import type { ExistsSpec, FilterSpec, GroupNode, IdNode, Island, PatternNode, ValuesNode } from './nodes.js'
import { type Dictionary, LOCAL_BASE, Rows } from './rows.js'
import type { IdAccess } from '../source.js'
import { turnEventLoop } from '../../quad-model/index.js'

/** Rows a node yields at a time, about. */
export const BATCH = 1024
/** Rows sampled to estimate a member's cost. */
export const SAMPLE = 8
/** Matches read per lookup while sampling. */
const SAMPLE_MATCHES = 64

/** One member of a join group in the order chosen for a run (join.ts). */
export interface Step {
  node: IdNode
  /**
   * probe: correlated, an index nested-loop join. hash: the member evaluated once,
   * hashed on `keys` (slots bound on both sides) and probed in memory. once: the
   * member evaluated once and joined to every row (it shares nothing bound).
   */
  mode: 'probe' | 'hash' | 'once'
  keys: number[]
  lazy: boolean
  filters: FilterSpec[]
}

/** Evaluates a node on rows: yields them extended with the node's compatible solutions. */
export type RunNode = (node: IdNode, input: Rows, rs: RunState, lazy: boolean) => AsyncIterable<Rows>

/** What one run of one island needs: the source, ids of its constants, plans and caches. */
export class RunState {
  readonly dict: Dictionary
  readonly plans = new Map<GroupNode, Step[]>()
  /** Members evaluated once for the run (join.ts: hash joins and products). */
  readonly once = new Map<IdNode, unknown>()
  private readonly compiled = new Map<Algebra.Expression, Compiled>()
  private nodes: number[] | undefined
  private readonly graphNodeCache = new Map<number, boolean>()
  private lastTurn = 0

  constructor (
    readonly ctx: EvalContext,
    readonly access: IdAccess,
    readonly island: Island,
    readonly constants: Uint32Array,
    /** Id of the active graph; LOCAL_BASE when the source holds no such graph; 0 under GRAPH ?g. */
    readonly graph: number,
    /** Id of the default graph (0 if the source has none), which GRAPH ?g never matches. */
    readonly defaultGraph: number,
    dict: Dictionary,
    private readonly runner: RunNode
  ) {
    this.dict = dict
  }

  /** Evaluates a node on rows (engine.ts); `lazy` scans a driving pattern as it goes. */
  run (node: IdNode, input: Rows, lazy = false): AsyncIterable<Rows> {
    return this.runner(node, input, this, lazy)
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
    await turnEventLoop()
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

  /** Those of `ids` whose terms are a subject or object in the active graph (one batched lookup). */
  async graphNodesAmong (ids: number[]): Promise<Set<number>> {
    const out = new Set<number>()
    const unknown: number[] = []
    for (const id of new Set(ids)) {
      if (id >= LOCAL_BASE) continue
      const known = this.graphNodeCache.get(id)
      if (known === undefined) unknown.push(id)
      else if (known) out.add(id)
    }
    if (unknown.length === 0 || this.graph >= LOCAL_BASE) return out
    const probes = new Uint32Array(unknown.length * 8)
    unknown.forEach((id, i) => probes.set([id, 0, 0, this.graph, 0, 0, id, this.graph], i * 8))
    const { ends } = await this.match(probes, 1)
    unknown.forEach((id, i) => {
      const before = i === 0 ? 0 : ends[2 * i - 1]!
      const node = ends[2 * i + 1]! > before
      this.graphNodeCache.set(id, node)
      if (node) out.add(id)
    })
    return out
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

/** The id at a position of row `at`: the constant's, or the slot's (0 when unbound). */
export function valueOf (pos: number, data: Uint32Array, at: number, rs: RunState): number {
  return pos < 0 ? rs.constants[-1 - pos]! : data[at + pos]!
}

/** Fills four probe slots for row `at`; false when the row cannot match (a local id, or no such graph). */
export function probeOf (node: PatternNode, data: Uint32Array, at: number, rs: RunState, probes: Uint32Array, k: number): boolean {
  const s = valueOf(node.s, data, at, rs); const p = valueOf(node.p, data, at, rs); const o = valueOf(node.o, data, at, rs)
  const g = node.g === undefined ? rs.graph : data[at + node.g]!
  if (s >= LOCAL_BASE || p >= LOCAL_BASE || o >= LOCAL_BASE || g >= LOCAL_BASE) return false
  probes[k] = s; probes[k + 1] = p; probes[k + 2] = o; probes[k + 3] = g
  return true
}

/** Per row, per VALUES row: the compatible combinations. */
export function joinValues (node: ValuesNode, input: Rows, rs: RunState): Rows {
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

export function bindingsOf (spec: FilterSpec, rows: Rows, r: number, rs: RunState): Bindings {
  const b: Bindings = new Map()
  const base = r * rows.width
  for (let k = 0; k < spec.slots.length; k++) {
    const id = rows.data[base + spec.slots[k]!]!
    if (id !== 0) b.set(spec.names[k]!, rs.dict.term(id))
  }
  return b
}

export async function resolveSlots (spec: FilterSpec, rows: Rows, rs: RunState): Promise<void> {
  if (spec.slots.length === 0) return
  const ids: number[] = []
  for (let r = 0; r < rows.length; r++) for (const s of spec.slots) ids.push(rows.data[r * rows.width + s]!)
  await rs.dict.resolve(ids)
}

export async function applyFilter (spec: FilterSpec, rows: Rows, rs: RunState): Promise<Rows> {
  await resolveSlots(spec, rows, rs)
  const c = rs.expression(spec.expr)
  const found = spec.exists === undefined ? undefined : await Promise.all(spec.exists.map(async e => await existsAmong(e, rows, rs)))
  const out = new Rows(rows.width, rows.length)
  for (let r = 0; r < rows.length; r++) {
    const exists = found === undefined ? undefined : new Map(spec.exists!.map((e, k) => [e.expr, e.expr.not ? found[k]![r] === 0 : found[k]![r] === 1]))
    if (evaluateFilter(c, bindingsOf(spec, rows, r, rs), exists)) out.copyRow(rows, r)
  }
  return out
}

/** Per row: 1 where an EXISTS body has a solution with the row's bindings substituted (run on all rows at once). */
async function existsAmong (e: ExistsSpec, rows: Rows, rs: RunState): Promise<Uint8Array> {
  const w = rows.width
  const tagged = new Rows(w, rows.length)
  for (let r = 0; r < rows.length; r++) tagged.data[tagged.copyRow(rows, r) + e.origin] = r + 1
  const found = new Uint8Array(rows.length)
  for await (const out of rs.run(e.body, tagged)) {
    for (let i = 0; i < out.length; i++) found[out.data[i * w + e.origin]! - 1] = 1
  }
  return found
}
