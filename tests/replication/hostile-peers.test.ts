/**
 * Hostile peers over real loopback libp2p. The attacker is bench/hostile-node.ts: stock libp2p and
 * Helia with its own code, never Rhizome's replicator. Against an honest writer and a
 * victim replica it forges signatures, sends blocks that do not hash to their CIDs, nodes
 * of foreign writers, huge heights and parent lists, endless streams, floods of
 * announcements, junk blocks over bitswap, endless requests and stalled catch-up reads.
 * In every case the victim ends with exactly the writer's commits (it keeps converging
 * while the attack runs), the attacker is penalized (blocked and hung up on), and what
 * the victim holds for it stays within its budget.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { createCommit, encodeBlock, Signer, type ClockNode } from '../../merkle-clock/index.js'
import { encodeDelta, quadKeys } from '../../quad-model/index.js'
import { topicOf, type ReplicatorOptions } from '../../replication/index.js'
import { encodeBlockFrame, encodeEndFrame, FRAME_NODE } from '../../replication/wire.js'
import { openGraph } from '../../index.js'
import { closeAll, converged, dump, LOOPBACK, mesh, quad, replicas, seeded, seededKey, waitFor, type Replica } from './helpers.js'
import { everythingRequest, ghostCid, hostilePeer, junkBlock, type Hostile } from '../../bench/hostile-node.js'

let nodes: Replica[] = []
let attackers: Hostile[] = []
afterEach(async () => {
  await Promise.all(attackers.map(async a => await a.stop()))
  await closeAll(nodes)
  nodes = []
  attackers = []
})

interface World { writer: Replica, victim: Replica, attacker: Hostile, topic: string, penalized: string[] }

/** An honest writer and a victim (connected), and an attacker connected to the victim. */
async function world (seed: number, victimOptions: ReplicatorOptions = {}): Promise<World> {
  // the writer gets the victim's options too: they are limits an honest writer never meets
  nodes = await replicas(2, seed, { announceInterval: 500, ...victimOptions })
  const [writer, victim] = nodes
  for (let i = 0; i < 3; i++) await writer.graph.insert([quad('honest', 'p', String(i))])
  await mesh(nodes)
  await waitFor(async () => await converged([writer.graph, victim.graph]), 'the victim to follow the writer', { graphs: [victim.graph] })
  const attacker = await hostilePeer()
  attackers.push(attacker)
  const penalized: string[] = []
  victim.replicator.addEventListener('peer:penalized', e => penalized.push((e as CustomEvent<{ peer: string }>).detail.peer))
  return { writer, victim, attacker, topic: topicOf(writer.graph.address), penalized }
}

/** The attacker is blocked and disconnected, and the victim still follows the writer exactly. */
async function expectPenalizedAndConverging (w: World): Promise<void> {
  const { writer, victim, attacker } = w
  await waitFor(() => w.penalized.includes(attacker.peerId), 'the attacker to be penalized')
  expect(victim.replicator.isBlocked(attacker.peerId)).toBe(true)
  await waitFor(() => attacker.libp2p.getConnections().every(c => c.remotePeer.toString() !== victim.replicator.peerId), 'the attacker to be hung up on')
  await writer.graph.insert([quad('honest', 'p', 'after')])
  await waitFor(async () => await converged([writer.graph, victim.graph]), 'the victim to follow the writer after the attack', { graphs: [victim.graph] })
  expect(await dump(victim.graph)).toEqual(await dump(writer.graph))
  expect(w.penalized).not.toContain(writer.replicator.peerId)
}

async function head (graph: Replica['graph']): Promise<{ cid: CID, value: ClockNode }> {
  const cid = (await graph.heads())[0]
  return { cid, value: dagCbor.decode(await graph.store.getBlock(cid) as Uint8Array) }
}

/** Forgeries served over catch-up after announcing them: each must cost the attacker its connection. */
const forgeries: Array<{ name: string, frames: (w: World, random: () => number) => Promise<Array<{ cid: CID, bytes: Uint8Array }>> }> = [
  {
    name: 'a forged signature',
    frames: async ({ writer }, random) => {
      const h = await head(writer.graph)
      const node = createCommit({ db: writer.graph.addressCid, parents: [{ cid: h.cid, height: h.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'sig'))], []), signer: new Signer(seededKey(random)) }).node.value
      return [encodeBlock({ ...node, author: h.value.author, sig: new Uint8Array(64).fill(7) })]
    }
  },
  {
    name: 'a block that does not hash to its CID',
    frames: async ({ writer }, random) => {
      const h = await head(writer.graph)
      const commit = createCommit({ db: writer.graph.addressCid, parents: [{ cid: h.cid, height: h.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'hash'))], []), signer: new Signer(seededKey(random)) })
      const bytes = commit.node.bytes.slice()
      bytes[bytes.length - 1] ^= 1
      return [{ cid: commit.node.cid, bytes }]
    }
  },
  {
    name: 'a node of a foreign writer, correctly signed',
    frames: async ({ writer }, random) => {
      const h = await head(writer.graph)
      return [createCommit({ db: writer.graph.addressCid, parents: [{ cid: h.cid, height: h.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'foreign'))], []), signer: new Signer(seededKey(random)) }).node]
    }
  },
  {
    name: 'a huge height',
    frames: async ({ writer }) => {
      const h = await head(writer.graph)
      return [encodeBlock({ ...h.value, height: 2 ** 50, parents: [h.cid] })]
    }
  },
  {
    name: 'a huge parent list',
    frames: async ({ writer }) => {
      const h = await head(writer.graph)
      const parents = Array.from({ length: 5000 }, (_, i) => ghostCid(`parent ${i}`)).sort((a, b) => a.toString() < b.toString() ? -1 : 1)
      return [encodeBlock({ ...h.value, height: 2, parents })]
    }
  }
]

describe('hostile peers over loopback libp2p', () => {
  for (const [i, forgery] of forgeries.entries()) {
    it(`${forgery.name}: rejected, the attacker penalized, the victim converging`, async () => {
      const w = await world(300 + i)
      const blocks = await forgery.frames(w, seeded(400 + i))
      await w.attacker.serveCatchup(() => [...blocks.map(b => encodeBlockFrame(FRAME_NODE, b.cid, b.bytes)), encodeEndFrame({ sent: blocks.length, more: false })])
      await w.attacker.dial(w.victim.replicator.multiaddrs[0])
      await w.attacker.join(w.topic)
      await w.attacker.announce(w.topic, [blocks[0].cid])
      await expectPenalizedAndConverging(w)
      expect(await w.victim.graph.store.hasBlock(blocks[0].cid)).toBe(false)
    })
  }

  it('an endless stream (the same node over and over, more than asked for): cut, the attacker penalized', async () => {
    const w = await world(310, { roundSize: 100 })
    const h = await head(w.writer.graph)
    const bytes = await w.writer.graph.store.getBlock(h.cid) as Uint8Array
    await w.attacker.serveCatchup(request => Array.from({ length: request.max + 50 }, () => encodeBlockFrame(FRAME_NODE, h.cid, bytes)))
    await w.attacker.dial(w.victim.replicator.multiaddrs[0])
    await w.attacker.join(w.topic)
    await w.attacker.announce(w.topic, [ghostCid('endless')])
    await expectPenalizedAndConverging(w)
  })

  it('a flood of announcements of nonexistent heads: the honest commit gets through during it, the flooder is blocked, the heap stays bounded', async () => {
    const w = await world(311)
    await w.attacker.dial(w.victim.replicator.multiaddrs[0])
    await w.attacker.join(w.topic)
    const heapBefore = process.memoryUsage().heapUsed
    let flooding = true
    let sent = 0
    const flood = (async () => {
      // about 220 a second, each of 64 heads nobody has, until the victim drops the flooder
      // eslint-disable-next-line no-unmodified-loop-condition -- the test's body ends the flood
      while (flooding && sent < 20_000) {
        const heads = Array.from({ length: 64 }, (_, k) => ghostCid(`flood ${sent} ${k}`))
        await w.attacker.announce(w.topic, heads)
        sent++
        if (sent % 11 === 0) await new Promise(resolve => setTimeout(resolve, 50))
      }
    })()
    try {
      await waitFor(() => sent >= 200, 'the flood to be under way')
      // an honest commit during the flood reaches the victim
      await w.writer.graph.insert([quad('honest', 'p', 'during the flood')])
      await waitFor(async () => await converged([w.writer.graph, w.victim.graph]), 'the honest commit to reach the victim during the flood', { graphs: [w.victim.graph] })
      await expectPenalizedAndConverging(w)
    } finally {
      flooding = false
      await flood
    }
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024)
  })

  it('junk blocks over bitswap for heads announced through a relay: none is stored, the server is blocked', async () => {
    const w = await world(312)
    // a relay: an honest reader that forwards the topic; the announcer reaches the victim only through it
    const relayGraph = await openGraph({ address: w.writer.graph.address, fetch: w.writer.graph.blocks })
    const relay = { graph: relayGraph, replicator: await relayGraph.replicate({ listen: LOOPBACK, workers: 0, announceInterval: 500 }) }
    nodes.push(relay)
    await w.victim.replicator.connect(relay.replicator.multiaddrs[0])
    const announcer = await hostilePeer()
    attackers.push(announcer)
    const junk = await Promise.all(Array.from({ length: 4 }, async (_, i) => await junkBlock(`junk 314 ${i}`, 900 * 1024)))
    for (const block of junk) await w.attacker.blockstore.put(block.cid, block.bytes)
    await w.attacker.dial(w.victim.replicator.multiaddrs[0])
    await announcer.dial(relay.replicator.multiaddrs[0])
    await announcer.join(w.topic)
    const before = await w.victim.graph.store.nodeCount()
    await waitFor(async () => {
      await announcer.announce(w.topic, junk.map(b => b.cid))
      return w.penalized.includes(w.attacker.peerId)
    }, 'the junk server to be penalized')
    for (const block of junk) expect(await w.victim.graph.store.hasBlock(block.cid)).toBe(false)
    expect(await w.victim.graph.store.nodeCount()).toBe(before)
    await expectPenalizedAndConverging(w)
  })

  it('stalled catch-up readers and endless requests: refused past the budget, cut at the stall deadline, the reader penalized', async () => {
    const budget = { totalBytes: 16 * 1024 * 1024, peerBytes: 8 * 1024 * 1024, streamBytes: 4 * 1024 * 1024 }
    const w = await world(315, { stallTimeout: 1_000, serveBudget: budget })
    // enough history that a reader who never reads fills every buffer between them
    const big = 'x'.repeat(1000)
    for (let c = 0; c < 8; c++) await w.writer.graph.insert(Array.from({ length: 500 }, (_, k) => quad(`bulk${c}`, 'p', `${k} ${big}`)))
    await waitFor(async () => await converged([w.writer.graph, w.victim.graph]), 'the victim to hold the history', { graphs: [w.victim.graph], timeout: 60_000 })
    await w.attacker.dial(w.victim.replicator.multiaddrs[0])
    const victim = w.victim.replicator
    let highest = 0
    const refused: string[] = []
    victim.addEventListener('serve:refused', e => refused.push((e as CustomEvent<{ error: { code: string } }>).detail.error.code))
    const streams: Array<{ abort: (err: Error) => void }> = []
    await waitFor(async () => {
      highest = Math.max(highest, victim.serving())
      if (w.penalized.includes(w.attacker.peerId)) return true
      // endless requests, each for everything (and cyclic: the same unknown head twice), none of them read;
      // and requests that never finish arriving
      const full = streams.length === 0 ? 2 : 0
      const opened = await Promise.allSettled(Array.from({ length: full + 1 }, async (_, k) => k < full
        ? await w.attacker.openCatchup(victim.peerId, everythingRequest(w.writer.graph.addressCid, [ghostCid('cycle'), ghostCid('cycle')]))
        : await w.attacker.openCatchup(victim.peerId, everythingRequest(w.writer.graph.addressCid), { partial: true })))
      for (const o of opened) if (o.status === 'fulfilled') streams.push(o.value)
      highest = Math.max(highest, victim.serving())
      return false
    }, 'the stalled reader to be penalized', { timeout: 60_000 })
    for (const s of streams) s.abort(new Error('done'))
    expect(highest).toBeLessThanOrEqual(budget.peerBytes)
    expect(refused).toContain('ERR_SLOW_READER')
    await expectPenalizedAndConverging(w)
    await waitFor(() => victim.serving() === 0, 'every serving reservation to be released')
  })
})
