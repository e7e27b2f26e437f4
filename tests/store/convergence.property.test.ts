import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import type { CID } from 'multiformats/cid'
import type { BlockFetcher, Graph } from '../../index.js'
import { closeAll, dump, headStrings, quad, replicas, type BackendKind } from './helpers.js'

// A small universe of quads, so that replicas insert and delete the same ones.
const universe = Array.from({ length: 6 }, (_, i) => quad(`s${i % 3}`, 'p', `o${i % 2}`, i % 4 === 0 ? 'g' : undefined))

type Op =
  | { kind: 'insert', replica: number, quads: number[] }
  | { kind: 'delete', replica: number, quads: number[] }
  | { kind: 'sync', from: number, to: number }

const op = (n: number): fc.Arbitrary<Op> => fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), replica: fc.nat(n - 1), quads: fc.array(fc.nat(universe.length - 1), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), replica: fc.nat(n - 1), quads: fc.array(fc.nat(universe.length - 1), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('sync' as const), from: fc.nat(n - 1), to: fc.nat(n - 1) })
)

async function run (graphs: Graph[], ops: Op[]): Promise<void> {
  for (const o of ops) {
    if (o.kind === 'insert') await graphs[o.replica].insert(o.quads.map(i => universe[i]))
    else if (o.kind === 'delete') await graphs[o.replica].delete(o.quads.map(i => universe[i]))
    else if (o.from !== o.to) await graphs[o.to].merge(await graphs[o.from].heads(), { fetch: graphs[o.from].blocks })
  }
}

/** A block source holding every block of every replica. */
function pool (graphs: Graph[]): BlockFetcher {
  return {
    get: async (cid: CID) => {
      for (const g of graphs) {
        const bytes = await g.blocks.get(cid)
        if (bytes !== undefined) return bytes
      }
      return undefined
    }
  }
}

// Each backend must implement the same CRDT; the SQLite runs are fewer because each replica is a folder on disk.
describe.each([['memory', 60], ['sqlite', 12]] as Array<[BackendKind, number]>)('convergence on the %s backend (property)', (kind, numRuns) => {
  it('replicas that exchange all their nodes end with identical quads and heads', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op(3), { maxLength: 25 }), async ops => {
      const graphs = await replicas(3, kind)
      await run(graphs, ops)
      // Full exchange: everyone merges everyone's heads.
      for (const to of graphs) for (const from of graphs) if (to !== from) await to.merge(await from.heads(), { fetch: from.blocks })
      const first = await dump(graphs[0])
      const heads = await headStrings(graphs[0])
      for (const g of graphs.slice(1)) {
        expect(await dump(g)).toEqual(first)
        expect(await headStrings(g)).toEqual(heads)
      }
      await closeAll(graphs)
    }), { seed: 20261121, numRuns })
  })

  it('a replica receiving the nodes in random order, with duplicates, ends like the others', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op(3), { minLength: 1, maxLength: 20 }), fc.infiniteStream(fc.nat()), async (ops, randoms) => {
      const graphs = await replicas(4, kind)
      const [late, ...writers] = graphs
      await run(writers, ops.map(o => o.kind === 'sync' ? { ...o, from: o.from % 3, to: o.to % 3 } : { ...o, replica: o.replica % 3 }))
      for (const to of writers) for (const from of writers) if (to !== from) await to.merge(await from.heads(), { fetch: from.blocks })
      // Every commit any writer made, delivered one at a time in a random order, some twice.
      const nodes = (await writers[0].log({ limit: 10_000 })).map(e => e.cid)
      const it = randoms[Symbol.iterator]()
      const deliveries = [...nodes, ...nodes.filter(() => it.next().value % 3 === 0)]
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = it.next().value % (i + 1)
        ;[deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]]
      }
      const fetch = pool(writers)
      for (const cid of deliveries) await late.merge([cid], { fetch })
      expect(await dump(late)).toEqual(await dump(writers[0]))
      expect(await headStrings(late)).toEqual(await headStrings(writers[0]))
      await closeAll(graphs)
    }), { seed: 7, numRuns: Math.ceil(numRuns * 2 / 3) })
  })

  it('an add concurrent with a remove survives (add wins)', async () => {
    const [a, b] = await replicas(2, kind)
    const q = universe[0]
    await a.insert([q])
    await b.merge(await a.heads(), { fetch: a.blocks })
    // Concurrently: a removes the quad it has seen; b adds it again.
    await a.delete([q])
    await b.insert([q])
    await a.merge(await b.heads(), { fetch: b.blocks })
    await b.merge(await a.heads(), { fetch: a.blocks })
    for (const g of [a, b]) expect(await g.size()).toBe(1)
    // A remove that has observed both adds removes the quad everywhere.
    await a.delete([q])
    await b.merge(await a.heads(), { fetch: a.blocks })
    for (const g of [a, b]) expect(await g.size()).toBe(0)
    expect(await headStrings(a)).toEqual(await headStrings(b))
    await closeAll([a, b])
  })

  it('delete then insert of the same quad in one update leaves it present', async () => {
    const [a] = await replicas(1, kind)
    await a.insert([universe[1]])
    await a.update({ delete: [universe[1]], insert: [universe[1]] })
    expect(await a.size()).toBe(1)
    await closeAll([a])
  })
})
