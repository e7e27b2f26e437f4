// The crash test's writes, generated from a seed. Shared by the writer process
// (writer.mjs), which performs them, and the test (crash.test.ts), which computes
// from the same seed what the database must hold after each commit.

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function prng (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const between = (random, low, high) => low + Math.floor(random() * (high - low + 1))

/**
 * The steps of one run. Each step is one commit: `{ kind, add, remove }`, where add
 * and remove are N-Quads lines; kind 'import' goes through graph.import (add only),
 * the others through graph.update. Every added quad is new and every removed quad
 * present, so every step changes the graph and makes exactly one commit. Modes:
 *   mixed  single-quad inserts and deletes, imports and updates of thousands of quads
 *   bulk   the same, after a first import big enough to take the store's bulk path
 *          (dropping and rebuilding indexes inside the transaction)
 *   burst  single-quad inserts and deletes only: the small writes that the store makes
 *          durable in its commit log and commits to SQLite in groups
 *   merge  the steps of mixed, each made by another replica and merged (writer.mjs)
 */
export function * workload (seed, steps, mode = 'mixed') {
  const bulk = mode === 'bulk'
  const random = prng(seed)
  const present = []
  let fresh = 0
  const add = count => {
    const lines = []
    for (let i = 0; i < count; i++) {
      const n = fresh++
      const graph = n % 4 === 3 ? ` <http://example.org/g${n % 5}>` : ''
      lines.push(`<http://example.org/s${n % 1009}> <http://example.org/p${n % 17}> "${seed} ${n}"${graph} .`)
    }
    present.push(...lines)
    return lines
  }
  const remove = count => {
    const lines = []
    for (let i = 0; i < count && present.length > 0; i++) {
      const at = Math.floor(random() * present.length)
      lines.push(present[at])
      present[at] = present[present.length - 1]
      present.pop()
    }
    return lines
  }
  for (let step = 0; step < steps; step++) {
    const roll = random()
    if (step === 0 && bulk) yield { kind: 'import', remove: [], add: add(60_000) }
    else if (mode === 'burst') yield roll < 0.7 || present.length === 0 ? { kind: 'insert', remove: [], add: add(1) } : { kind: 'delete', remove: remove(1), add: [] }
    else if (roll < 0.3 || (roll < 0.45 && present.length === 0)) yield { kind: 'insert', remove: [], add: add(1) }
    else if (roll < 0.45) yield { kind: 'delete', remove: remove(1), add: [] }
    else if (roll < 0.75) yield { kind: 'import', remove: [], add: add(between(random, 2000, 6000)) }
    else {
      const removed = remove(between(random, 100, 1000))
      yield { kind: 'update', remove: removed, add: add(between(random, 1000, 4000)) }
    }
  }
}
