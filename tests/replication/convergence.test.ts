/**
 * Replicas converge over real libp2p nodes (loopback TCP) whatever happens to the
 * announcements: dropped, duplicated and reordered by a seeded gate, and across a
 * partition that heals. Every replica ends with identical heads and quads.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { closeAll, converged, dump, mesh, quad, replicas, seeded, waitFor, type Replica } from './helpers.js'
import type { CID } from 'multiformats/cid'
import { topicOf } from '../../replication/index.js'

let nodes: Replica[] = []
afterEach(async () => { await closeAll(nodes); nodes = [] })

/** A gate that drops, duplicates and holds back announcements, releasing held ones in random order. */
function faultyGate (seed: number, faults: { drop: number, duplicate: number, hold: number }): (a: { heads: CID[] }, deliver: () => void) => void {
  const random = seeded(seed)
  const held: Array<() => void> = []
  return (_announcement, deliver) => {
    // each arrival releases a random share of what was held, in random order: reordering
    while (held.length > 0 && random() < 0.5) held.splice(Math.floor(random() * held.length), 1)[0]()
    const r = random()
    if (r < faults.drop) return
    if (r < faults.drop + faults.hold) { held.push(deliver); return }
    deliver()
    if (random() < faults.duplicate) deliver()
  }
}

async function randomWrites (node: Replica, random: () => number, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const s = `s${Math.floor(random() * 6)}`
    if (random() < 0.25) {
      const present = []
      for await (const q of node.graph.match(undefined, undefined, undefined, undefined)) if (q.subject.value.endsWith(s)) present.push(q)
      if (present.length > 0) { await node.graph.delete(present.slice(0, 1)); continue }
    }
    await node.graph.insert([quad(s, 'p', `${tag}-${i}`)])
  }
}

describe('replication under faults', () => {
  it('four replicas with dropped, duplicated and reordered announcements end with identical quads and heads', async () => {
    const seed = 11
    nodes = await replicas(4, seed, { announceInterval: 300, announcementGate: faultyGate(seed, { drop: 0.3, duplicate: 0.2, hold: 0.2 }) })
    await mesh(nodes)
    const random = seeded(seed + 1)
    await Promise.all(nodes.map(async (node, i) => await randomWrites(node, random, 12, `w${i}`)))
    const graphs = nodes.map(n => n.graph)
    await waitFor(async () => await converged(graphs), 'the four replicas to converge', { graphs, timeout: 30_000 })
    const dumps = await Promise.all(graphs.map(dump))
    for (const d of dumps) expect(d).toEqual(dumps[0])
    expect(dumps[0].length).toBeGreaterThan(0)
  })

  it('a partition that heals: each side converges alone, then all do', async () => {
    const seed = 23
    nodes = await replicas(4, seed, { announceInterval: 300 })
    await mesh(nodes)
    const [a, b, c, d] = nodes
    // cut {a, b} from {c, d}
    for (const x of [a, b]) {
      for (const y of [c, d]) {
        await x.replicator.block(y.replicator.peerId, 'partition', 3_600_000)
        await y.replicator.block(x.replicator.peerId, 'partition', 3_600_000)
      }
    }
    const random = seeded(seed + 1)
    await Promise.all([randomWrites(a, random, 8, 'a'), randomWrites(c, random, 8, 'c'), randomWrites(d, random, 4, 'd')])
    await waitFor(async () => await converged([a.graph, b.graph]) && await converged([c.graph, d.graph]), 'each side to converge', { graphs: nodes.map(n => n.graph) })
    expect(await converged([a.graph, c.graph])).toBe(false)
    // heal
    for (const x of nodes) for (const y of nodes) if (x !== y) x.replicator.unblock(y.replicator.peerId)
    for (const x of [a, b]) for (const y of [c, d]) await x.replicator.connect(y.replicator.multiaddrs[0])
    const graphs = nodes.map(n => n.graph)
    await waitFor(async () => await converged(graphs), 'all four to converge after healing', { graphs })
    const dumps = await Promise.all(graphs.map(dump))
    for (const dd of dumps) expect(dd).toEqual(dumps[0])
  })

  it('a fresh replica catches up a long history in several rounds and batches', async () => {
    nodes = await replicas(2, 31, { roundSize: 300, batchSize: 64 })
    const [writer, fresh] = nodes
    for (let i = 0; i < 40; i++) await writer.graph.insert(Array.from({ length: 25 }, (_, j) => quad(`s${i}`, 'p', String(j))))
    const concurrent = Array.from({ length: 700 }, (_, i) => writer.graph.insert([quad('many', 'p', String(i))]))
    await Promise.all(concurrent)
    const progress: number[] = []
    fresh.replicator.addEventListener('catchup:progress', e => progress.push((e as CustomEvent<{ applied: number }>).detail.applied))
    await mesh(nodes)
    await waitFor(async () => await converged([writer.graph, fresh.graph]), 'the fresh replica to catch up', { graphs: [fresh.graph] })
    expect(await dump(fresh.graph)).toEqual(await dump(writer.graph))
    expect(progress.length).toBeGreaterThan(5) // applied batch by batch, not at the end
  })

  it('an interrupted catch-up keeps what it applied and resumes from there', async () => {
    nodes = await replicas(2, 37, { roundSize: 5_000, batchSize: 100 })
    const [writer, fresh] = nodes
    for (let i = 0; i < 1_500; i += 50) await Promise.all(Array.from({ length: 50 }, async (_, j) => await writer.graph.insert([quad('s', 'p', String(i + j))])))
    const received: number[] = []
    let cut = false
    fresh.replicator.addEventListener('catchup:progress', e => {
      const { applied, received: r } = (e as CustomEvent<{ applied: number, received: number }>).detail
      received.push(r)
      // cut the connection once a few batches are in
      if (!cut && applied >= 300) {
        cut = true
        void fresh.replicator.block(writer.replicator.peerId, 'test: cut the connection', 3_600_000)
      }
    })
    await mesh(nodes)
    await waitFor(() => cut, 'the cut')
    await waitFor(() => fresh.replicator.ipfs.libp2p.getConnections().length === 0, 'the connection to close')
    const kept = await fresh.graph.store.nodeCount()
    expect(kept).toBeGreaterThanOrEqual(300)
    expect(kept).toBeLessThan(1_500)
    received.length = 0
    fresh.replicator.unblock(writer.replicator.peerId)
    await fresh.replicator.connect(writer.replicator.multiaddrs[0])
    await waitFor(async () => await converged([writer.graph, fresh.graph]), 'the catch-up to resume and finish', { graphs: [fresh.graph] })
    // the second round sent only what the first had not applied
    expect(Math.max(...received)).toBeLessThanOrEqual(1_500 - kept)
    expect(await dump(fresh.graph)).toEqual(await dump(writer.graph))
  })

  it('replicas that diverged exchange about what they do not share, not their whole history', async () => {
    nodes = await replicas(2, 41)
    const [a, b] = nodes
    for (let i = 0; i < 600; i += 50) await Promise.all(Array.from({ length: 50 }, async (_, j) => await a.graph.insert([quad('common', 'p', String(i + j))])))
    await mesh(nodes)
    await waitFor(async () => await converged([a.graph, b.graph]), 'the common history to replicate', { graphs: [b.graph] })
    await a.replicator.block(b.replicator.peerId, 'partition', 3_600_000)
    await b.replicator.block(a.replicator.peerId, 'partition', 3_600_000)
    for (const [node, tag] of [[a, 'a'], [b, 'b']] as const) {
      for (let i = 0; i < 100; i++) await node.graph.insert([quad(tag, 'p', String(i))])
    }
    const received = { a: 0, b: 0 }
    a.replicator.addEventListener('catchup:progress', e => { received.a = Math.max(received.a, (e as CustomEvent<{ received: number }>).detail.received) })
    b.replicator.addEventListener('catchup:progress', e => { received.b = Math.max(received.b, (e as CustomEvent<{ received: number }>).detail.received) })
    a.replicator.unblock(b.replicator.peerId)
    b.replicator.unblock(a.replicator.peerId)
    await a.replicator.connect(b.replicator.multiaddrs[0])
    await waitFor(async () => await converged([a.graph, b.graph]), 'the two branches to merge', { graphs: [a.graph, b.graph] })
    expect(received.a).toBeGreaterThanOrEqual(100)
    expect(received.b).toBeGreaterThanOrEqual(100)
    expect(received.a).toBeLessThan(250)
    expect(received.b).toBeLessThan(250)
  })

  it('a busy honest writer is not taken for a flooder, and its last heads always get announced', async () => {
    nodes = await replicas(2, 43, { announceInterval: 3_600_000 }) // no re-announcements: only change announcements
    const [writer, reader] = nodes
    const penalized: string[] = []
    reader.replicator.addEventListener('peer:penalized', e => penalized.push((e as CustomEvent<{ reason: string }>).detail.reason))
    await mesh(nodes)
    await waitFor(() => reader.replicator.ipfs.libp2p.services.pubsub.getSubscribers(topicOf(writer.graph.address)).length > 0, 'the reader to see the writer subscribed')
    for (let i = 0; i < 400; i++) await writer.graph.insert([quad('busy', 'p', String(i))])
    await waitFor(async () => await converged([writer.graph, reader.graph]), 'the reader to follow the busy writer', { graphs: [reader.graph] })
    expect(penalized).toEqual([])
  })

  it('a dropped connection to a peer given by multiaddr is redialled, and replication goes on', { timeout: 150_000 }, async () => {
    nodes = await replicas(2, 47)
    const [a, b] = nodes
    const [la, lb] = [a.replicator.ipfs.libp2p, b.replicator.ipfs.libp2p]
    await a.replicator.connect(b.replicator.multiaddrs[0])
    await waitFor(() => lb.getConnections(la.peerId).length > 0, 'b to see the connection')
    const old = new Set(la.getConnections(lb.peerId).map(c => c.id))
    // b drops every connection with a until none of a's first ones is left
    await waitFor(async () => {
      await lb.hangUp(la.peerId)
      return !la.getConnections(lb.peerId).some(c => old.has(c.id))
    }, 'the connection to drop', { timeout: 30_000 })
    await waitFor(() => la.getConnections(lb.peerId).some(c => c.status === 'open'), 'a to redial b', { timeout: 60_000 })
    await b.graph.insert([quad('after', 'p', 'redial')])
    await waitFor(async () => await converged([a.graph, b.graph]), 'replication after the redial', { graphs: [a.graph] })
  })
})
