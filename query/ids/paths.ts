/**
 * `*`, `+` and `?` paths on term ids (§18.4, the ALP closures): breadth-first
 * walks from the bound end, each node once per walk. All the walks a batch of
 * rows needs go level by level together, and a node's next nodes are looked up
 * once for all of them (one batched lookup per level).
 *
 * Zero-length matches: from a constant of the query a zero-length path always
 * reaches the constant itself; from a variable's value only when that value is a
 * node of the active graph (the path evaluated on its own would range over the
 * graph's nodes, and the join keeps those equal to the value). With both ends
 * unbound, `+` walks from the nodes the step leaves, `*` and `?` also pair every
 * node of the graph with itself.
 * Cost: with both ends unbound, the whole closure is built.
 */
import type { ClosureNode, Pos } from './nodes.js'
import { Rows } from './rows.js'
import type { RunState } from './run-state.js'
import { BATCH } from './run-state.js'

interface Walk {
  start: number
  backward: boolean
  zero: boolean
  found: number[]
  set: Set<number>
}

function valueAt (pos: Pos, rows: Rows, at: number, rs: RunState): number {
  return pos < 0 ? rs.constants[-1 - pos]! : rows.data[at + pos]!
}

export async function * runClosure (node: ClosureNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  const walks = new Map<number, Walk>()
  const walk = (start: number, backward: boolean, zero: boolean): Walk => {
    // The key packs direction and zero-rule beside the start.
    const key = start * 4 + (backward ? 2 : 0) + (zero ? 1 : 0)
    let found = walks.get(key)
    if (found === undefined) walks.set(key, found = { start, backward, zero, found: [], set: new Set() })
    return found
  }
  // First every walk the rows need (and which of their ends are graph nodes), then all walks at once.
  const ends: Array<{ sv: number, ov: number }> = []
  const ask: number[] = []
  for (let r = 0; r < input.length; r++) {
    const at = r * w
    const sv = valueAt(node.s, input, at, rs)
    const ov = valueAt(node.o, input, at, rs)
    ends.push({ sv, ov })
    if (node.zero && sv !== 0 && node.s >= 0 && node.o >= 0) ask.push(sv)
    else if (node.zero && sv === 0 && ov !== 0 && node.o >= 0) ask.push(ov)
  }
  const nodesAmong = ask.length === 0 ? new Set<number>() : await rs.graphNodesAmong(ask)
  let everyNode: Array<{ node: number, walk: Walk | undefined }> | undefined
  for (const { sv, ov } of ends) {
    if (sv !== 0) walk(sv, false, node.zero && (node.s < 0 || node.o < 0 || nodesAmong.has(sv)))
    else if (ov !== 0) walk(ov, true, node.zero && (node.o < 0 || nodesAmong.has(ov)))
    else everyNode ??= await startsOfAll(node, rs, walk)
  }
  await runWalks([...walks.values()], node, rs)

  let out = new Rows(w, 64)
  for (let r = 0; r < input.length; r++) {
    const { sv, ov } = ends[r]!
    if (sv !== 0) {
      const found = walk(sv, false, node.zero && (node.s < 0 || node.o < 0 || nodesAmong.has(sv)))
      if (ov !== 0) { if (found.set.has(ov)) out.copyRow(input, r) } else {
        for (const e of found.found) { const to = out.copyRow(input, r); out.data[to + node.o] = e }
      }
    } else if (ov !== 0) {
      for (const e of walk(ov, true, node.zero && (node.o < 0 || nodesAmong.has(ov))).found) { const to = out.copyRow(input, r); out.data[to + node.s] = e }
    } else {
      const same = node.s === node.o
      for (const { node: n, walk: from } of everyNode!) {
        const reached = from?.found ?? [n]
        if (same) {
          if (from === undefined || from.set.has(n)) { const to = out.copyRow(input, r); out.data[to + node.s] = n }
          continue
        }
        for (const e of reached) { const to = out.copyRow(input, r); out.data[to + node.s] = n; out.data[to + node.o] = e }
      }
    }
    if (out.length >= BATCH) {
      yield out
      out = new Rows(w, 64)
    }
  }
  if (out.length > 0) yield out
}

/**
 * With both ends unbound: the walks from every node the step leaves; for `*` and
 * `?` every other node of the graph too, reaching only itself (no walk).
 */
async function startsOfAll (node: ClosureNode, rs: RunState, walk: (start: number, backward: boolean, zero: boolean) => Walk): Promise<Array<{ node: number, walk: Walk | undefined }>> {
  const leaving = new Set<number>()
  for await (const rows of rs.run(node.step, Rows.single(rs.width))) {
    for (let i = 0; i < rows.length; i++) leaving.add(rows.data[i * rows.width + node.a]!)
  }
  if (!node.zero) return [...leaving].map(n => ({ node: n, walk: walk(n, false, false) }))
  return (await rs.graphNodes()).map(n => ({ node: n, walk: leaving.has(n) ? walk(n, false, true) : undefined }))
}

/** Runs the walks level by level, looking up each node's next nodes once. */
async function runWalks (walks: Walk[], node: ClosureNode, rs: RunState): Promise<void> {
  const next = [new Map<number, number[]>(), new Map<number, number[]>()]
  let active: Array<{ walk: Walk, frontier: number[] }> = []
  for (const w of walks) {
    if (w.zero) { w.set.add(w.start); w.found.push(w.start) }
    active.push({ walk: w, frontier: [w.start] })
  }
  while (active.length > 0) {
    rs.check()
    for (const backward of [false, true]) {
      const memo = next[backward ? 1 : 0]!
      const missing = new Set<number>()
      for (const { walk: w, frontier } of active) if (w.backward === backward) for (const f of frontier) if (!memo.has(f)) missing.add(f)
      if (missing.size > 0) await lookUpNext([...missing], backward, node, rs, memo)
    }
    const still: typeof active = []
    for (const { walk: w, frontier } of active) {
      const memo = next[w.backward ? 1 : 0]!
      const reached: number[] = []
      for (const f of frontier) {
        for (const n of memo.get(f)!) {
          if (w.set.has(n)) continue
          w.set.add(n)
          w.found.push(n)
          reached.push(n)
        }
      }
      if (node.many && reached.length > 0) still.push({ walk: w, frontier: reached })
    }
    active = still
  }
}

/** One step from each of `nodes` (forward: a → b; backward: b → a), into `memo`. */
async function lookUpNext (nodes: number[], backward: boolean, node: ClosureNode, rs: RunState, memo: Map<number, number[]>): Promise<void> {
  const from = backward ? node.b : node.a
  const to = backward ? node.a : node.b
  for (const n of nodes) memo.set(n, [])
  const rows = new Rows(rs.width, nodes.length)
  for (const n of nodes) rows.data[rows.addEmpty() + from] = n
  for await (const batch of rs.run(node.step, rows)) {
    const w = batch.width
    for (let i = 0; i < batch.length; i++) memo.get(batch.data[i * w + from]!)!.push(batch.data[i * w + to]!)
  }
}
