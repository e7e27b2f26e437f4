/**
 * Islands: the parts of a query the id-level engine evaluates (plan.ts says
 * which). `evaluateIsland` is the term-level evaluator's first question for any
 * operator; an island's answers are turned into RDF/JS terms a batch at a time,
 * with one request to the source for the ids of the whole batch.
 */
import type * as RDF from '@rdfjs/types'
import type { Algebra } from 'sparqlalgebrajs'
import { type Bindings, type EvalContext, checkSignal } from '../context.js'
import { run } from './engine.js'
import { type Island } from './nodes.js'
import { compileIsland } from './plan.js'
import { Dictionary, LOCAL_BASE, Rows, rowKey } from './rows.js'
import { RunState } from './run-state.js'
import type { IdAccess } from '../source.js'
import { df } from '../terms.js'

const islands = new WeakMap<Algebra.Operation, Island | null>()
const graphIslands = new WeakMap<Algebra.Operation, Map<string, Island | null>>()

/**
 * The solutions of `op` evaluated on term ids, or undefined where the id-level
 * engine does not apply (no IdAccess, another dataset, or an operator it does
 * not cover).
 */
export function evaluateIsland (op: Algebra.Operation, ctx: EvalContext): AsyncIterable<Bindings> | undefined {
  const access = ctx.source.ids
  if (access === undefined || !ctx.optimize) return undefined
  if (ctx.dataset.defaultGraphs !== 'store') return undefined
  const graph = ctx.activeGraph
  let island: Island | null | undefined
  if (graph?.termType === 'Variable') {
    // GRAPH ?g over the store's named graphs: the graph is one more slot of every pattern.
    if (ctx.dataset.namedGraphs !== 'store') return undefined
    let byName = graphIslands.get(op)
    if (byName === undefined) graphIslands.set(op, byName = new Map())
    island = byName.get(graph.value)
    if (island === undefined) byName.set(graph.value, island = compileIsland(op, graph.value) ?? null)
  } else if (graph === undefined || graph.termType === 'NamedNode' || graph.termType === 'BlankNode') {
    island = islands.get(op)
    if (island === undefined) islands.set(op, island = compileIsland(op) ?? null)
  }
  if (island === null || island === undefined) return undefined
  // A seeded projection is a subquery: the term level scopes its variables.
  if (ctx.seed !== undefined && ctx.seed.size > 0 && (island.project !== undefined || island.distinct || island.offset > 0 || island.limit < Infinity || island.isolated)) return undefined
  const active = graph?.termType === 'Variable' ? undefined : graph ?? df.defaultGraph()
  return new Solutions(() => solutionBatches(island, access, ctx, active))
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

/** Solutions a batch at a time; `graph` is the active graph, undefined under GRAPH ?g. */
async function * solutionBatches (island: Island, access: IdAccess, ctx: EvalContext, graph: RDF.Term | undefined): AsyncGenerator<Bindings[]> {
  checkSignal(ctx)
  if (island.limit === 0) return
  const dict = new Dictionary(access)
  const [constants, graphIds] = await Promise.all([dict.ids(island.constants), access.termIds([graph ?? df.defaultGraph(), df.defaultGraph()])])
  const graphId = graph === undefined ? 0 : graphIds[0] === 0 ? LOCAL_BASE : graphIds[0]!
  const rs = new RunState(ctx, access, island, constants, graphId, graphIds[1]!, dict, run)
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
  for await (const rows of rs.run(island.body, start)) {
    // The rows kept (DISTINCT, OFFSET, LIMIT), then the terms of their ids in one request.
    const kept: number[] = []
    for (let r = 0; r < rows.length && kept.length < left; r++) {
      const base = r * w
      if (seen !== undefined) {
        const key = rowKey(rows.data, base, out)
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
