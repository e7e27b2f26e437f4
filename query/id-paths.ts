/**
 * `*`, `+` and `?` paths on term ids (§18.4, the ALP closures): a breadth-first
 * walk from the bound end, one batched lookup per level, each node once.
 *
 * Zero-length matches: from a constant of the query a zero-length path always
 * reaches the constant itself; from a variable's value only when that value is a
 * node of the active graph (the path evaluated on its own would range over the
 * graph's nodes, and the join keeps those equal to the value).
 * Cost: with both ends unbound the walk starts from every node of the graph.
 */
import type { ClosureNode, Pos } from './id-plan.js'
import { Rows } from './id-rows.js'
import type { RunState } from './id-run.js'

interface Walk { list: number[], set: Set<number> }

function valueAt (pos: Pos, rows: Rows, at: number, rs: RunState): number {
  return pos < 0 ? rs.constants[-1 - pos]! : rows.data[at + pos]!
}

export async function * runClosure (node: ClosureNode, input: Rows, rs: RunState): AsyncIterable<Rows> {
  const w = input.width
  let out = new Rows(w, 64)
  const walks = new Map<number, Walk>()
  const walkFrom = async (start: number, backward: boolean, zero: boolean): Promise<Walk> => {
    // One cache per direction and zero-rule: the key packs them beside the start.
    const key = start * 4 + (backward ? 2 : 0) + (zero ? 1 : 0)
    let walk = walks.get(key)
    if (walk === undefined) {
      const list = await reach(node, start, backward, zero, rs)
      walk = { list, set: new Set(list) }
      walks.set(key, walk)
    }
    return walk
  }
  for (let r = 0; r < input.length; r++) {
    const at = r * w
    const sv = valueAt(node.s, input, at, rs)
    const ov = valueAt(node.o, input, at, rs)
    if (sv !== 0) {
      const zero = node.zero && (node.s < 0 || node.o < 0 || await rs.isGraphNode(sv))
      const ends = await walkFrom(sv, false, zero)
      if (ov !== 0) {
        if (ends.set.has(ov)) out.copyRow(input, r)
        continue
      }
      for (const e of ends.list) { const to = out.copyRow(input, r); out.data[to + node.o] = e }
    } else if (ov !== 0) {
      const zero = node.zero && (node.o < 0 || await rs.isGraphNode(ov))
      for (const e of (await walkFrom(ov, true, zero)).list) { const to = out.copyRow(input, r); out.data[to + node.s] = e }
    } else {
      const same = node.s === node.o
      for (const n of await rs.graphNodes()) {
        const ends = await walkFrom(n, false, node.zero)
        if (same) {
          if (ends.set.has(n)) { const to = out.copyRow(input, r); out.data[to + node.s] = n }
          continue
        }
        for (const e of ends.list) { const to = out.copyRow(input, r); out.data[to + node.s] = n; out.data[to + node.o] = e }
      }
    }
    if (out.length >= 4096) {
      yield out
      out = new Rows(w, 64)
    }
  }
  if (out.length > 0) yield out
}

/** The nodes reachable from `start` (once each, in breadth-first order). */
async function reach (node: ClosureNode, start: number, backward: boolean, zero: boolean, rs: RunState): Promise<number[]> {
  const visited = new Set<number>()
  const found: number[] = []
  if (zero) { visited.add(start); found.push(start) }
  let frontier = [start]
  const from = backward ? node.b : node.a
  const to = backward ? node.a : node.b
  while (frontier.length > 0) {
    rs.check()
    const rows = new Rows(rs.width, frontier.length)
    for (const f of frontier) { const at = rows.addEmpty(); rows.data[at + from] = f }
    const next: number[] = []
    for await (const batch of rs.run(node.step, rows)) {
      const w = batch.width
      for (let i = 0; i < batch.length; i++) {
        const n = batch.data[i * w + to]!
        if (visited.has(n)) continue
        visited.add(n)
        found.push(n)
        next.push(n)
      }
    }
    frontier = node.many ? next : []
  }
  return found
}
