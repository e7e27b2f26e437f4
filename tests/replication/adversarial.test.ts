/**
 * Adversarial peers. A victim replica is connected to an honest writer and to an
 * adversary whose catch-up handler or announcements misbehave. In every case nothing bad
 * is applied (the victim ends with exactly the writer's commits), the victim keeps syncing
 * with the honest writer, and the adversary is penalized (blocked and disconnected).
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { openGraph, writerId, type Graph, type KeyPair } from '../../index.js'
import { createCommit, encodeBlock, Signer, type ClockNode } from '../../merkle-clock/index.js'
import { encodeDelta, quadKeys } from '../../quad-model/index.js'
import { CATCHUP_PROTOCOL, topicOf, type ReplicatorOptions } from '../../replication/index.js'
import { decodeRequest, encodeAnnouncement, encodeBlockFrame, encodeEndFrame, FRAME_NODE, MAX_FRAME_BYTES } from '../../replication/wire.js'
import { closeAll, converged, dump, LOOPBACK, quad, seeded, seededKey, waitFor, type Replica } from './helpers.js'

let nodes: Replica[] = []
afterEach(async () => { await closeAll(nodes); nodes = [] })

interface World { writer: Replica, victim: Replica, adversary: Replica, keys: { writer: KeyPair, adversary: KeyPair, stranger: KeyPair } }

/**
 * A database whose writers are `writer` and `adversary` (a writer gone rogue, for the cases
 * that need a valid writer signature); the victim only reads. The adversary's catch-up
 * handler is replaced by `evil` when given.
 */
async function world (seed: number, evil?: (stream: Stream, w: World) => Promise<void>, victimOptions: ReplicatorOptions = {}): Promise<World> {
  const random = seeded(seed)
  const keys = { writer: seededKey(random), adversary: seededKey(random), stranger: seededKey(random), victim: seededKey(random) }
  const options = { listen: LOOPBACK, workers: 0, announceInterval: 500, random: seeded(seed + 1) }
  const w = await openGraph({ identity: keys.writer, create: { name: 'adversarial', writers: [writerId(keys.adversary.publicKey)] } })
  for (let i = 0; i < 5; i++) await w.insert([quad('honest', 'p', String(i))])
  const open = async (identity: KeyPair): Promise<Graph> => await openGraph({ identity, address: w.address, fetch: w.blocks })
  const [v, x] = [await open(keys.victim), await open(keys.adversary)]
  const writer = { graph: w, replicator: await w.replicate(options) }
  const victim = { graph: v, replicator: await v.replicate({ ...options, ...victimOptions }) }
  const adversary = { graph: x, replicator: await x.replicate(options) }
  nodes = [writer, victim, adversary]
  const result = { writer, victim, adversary, keys }
  if (evil !== undefined) {
    const libp2p = adversary.replicator.ipfs.libp2p
    await libp2p.unhandle(CATCHUP_PROTOCOL)
    await libp2p.handle(CATCHUP_PROTOCOL, stream => { void evil(stream, result).catch(() => {}) })
  }
  return result
}

/** Connects the victim to both, waits for the penalty, then checks nothing bad got in and honest sync goes on. */
async function expectPenalizedAndHonestSync (w: World): Promise<void> {
  const { writer, victim, adversary } = w
  const penalized: string[] = []
  victim.replicator.addEventListener('peer:penalized', e => penalized.push((e as CustomEvent<{ peer: string }>).detail.peer))
  await victim.replicator.connect(writer.replicator.multiaddrs[0])
  await victim.replicator.connect(adversary.replicator.multiaddrs[0])
  await waitFor(() => penalized.includes(adversary.replicator.peerId), 'the adversary to be penalized')
  expect(victim.replicator.isBlocked(adversary.replicator.peerId)).toBe(true)
  await waitFor(() => victim.replicator.ipfs.libp2p.getConnections(adversary.replicator.ipfs.libp2p.peerId).length === 0, 'the adversary to be disconnected')
  // the victim is up and keeps syncing with the honest writer
  await writer.graph.insert([quad('honest', 'p', 'after')])
  await waitFor(async () => await converged([writer.graph, victim.graph]), 'the victim to follow the writer', { graphs: [victim.graph] })
  expect(await dump(victim.graph)).toEqual(await dump(writer.graph))
  expect((await victim.graph.log({ limit: 1000 })).length).toBe((await writer.graph.log({ limit: 1000 })).length)
  expect(penalized).not.toContain(writer.replicator.peerId)
}

/** Reads the request, then writes `frames` as the response. */
async function respond (stream: Stream, frames: Uint8Array[]): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
  decodeRequest((await lp.read()).subarray())
  for (const frame of frames) await lp.write(frame)
  await stream.close()
}

async function headBlock (graph: Graph): Promise<{ cid: CID, bytes: Uint8Array, value: ClockNode }> {
  const cid = (await graph.heads())[0]
  const bytes = await graph.store.getBlock(cid) as Uint8Array
  return { cid, bytes, value: dagCbor.decode(bytes) }
}

describe('adversarial peers', () => {
  it('a block whose bytes do not hash to its CID', async () => {
    const w = await world(101, async (stream, { writer }) => {
      const head = await headBlock(writer.graph)
      const forged = createCommit({ db: writer.graph.addressCid, parents: [{ cid: head.cid, height: head.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'x'))], []), signer: new Signer(w.keys.writer) })
      const tampered = forged.node.bytes.slice()
      tampered[tampered.length - 1] ^= 1
      await respond(stream, [encodeBlockFrame(FRAME_NODE, forged.node.cid, tampered), encodeEndFrame({ sent: 1, more: false })])
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('a node with a bad signature', async () => {
    const w = await world(102, async (stream, { writer }) => {
      const head = await headBlock(writer.graph)
      const node = createCommit({ db: writer.graph.addressCid, parents: [{ cid: head.cid, height: head.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'sig'))], []), signer: new Signer(w.keys.writer) }).node.value
      const sig = node.sig.slice()
      sig[0] ^= 0xff
      const block = encodeBlock({ ...node, sig })
      await respond(stream, [encodeBlockFrame(FRAME_NODE, block.cid, block.bytes), encodeEndFrame({ sent: 1, more: false })])
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('a node with a bad signature, linked only by another writer\'s good node', async () => {
    // the rogue writer forges a node claiming the honest writer as author and links it from
    // a good node of its own: its signature covers the forged node's CID, but endorses only
    // nodes of its own author
    const w = await world(110, async (stream, { writer, keys }) => {
      const head = await headBlock(writer.graph)
      const node = createCommit({ db: writer.graph.addressCid, parents: [{ cid: head.cid, height: head.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'claimed'))], []), signer: new Signer(keys.writer) }).node.value
      const forged = encodeBlock({ ...node, sig: new Uint8Array(64) })
      const child = createCommit({ db: writer.graph.addressCid, parents: [{ cid: forged.cid, height: node.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'linker'))], []), signer: new Signer(keys.adversary) })
      await respond(stream, [encodeBlockFrame(FRAME_NODE, forged.cid, forged.bytes), encodeBlockFrame(FRAME_NODE, child.node.cid, child.node.bytes), encodeEndFrame({ sent: 2, more: false })])
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('a bad signature at the top of a writer\'s chain: the good commits before it are applied, it is not', async () => {
    const chain: Array<{ cid: CID, bytes: Uint8Array }> = []
    const w = await world(111, async (stream, { writer, keys }) => {
      if (chain.length === 0) {
        // a chain of its own from the root (the victim holds none of the writer's commits yet)
        let parents: Array<{ cid: CID, height: number }> = []
        for (let i = 0; i < 3; i++) {
          const node = createCommit({ db: writer.graph.addressCid, parents, chunks: encodeDelta([quadKeys(quad('rogue', 'p', String(i)))], []), signer: new Signer(keys.adversary) }).node
          const block = i < 2 ? node : encodeBlock({ ...node.value, sig: new Uint8Array(64) })
          chain.push(block)
          parents = [{ cid: block.cid, height: node.value.height }]
        }
      }
      await respond(stream, [...chain.map(b => encodeBlockFrame(FRAME_NODE, b.cid, b.bytes)), encodeEndFrame({ sent: chain.length, more: false })])
    })
    const { victim, adversary } = w
    const failures: string[] = []
    victim.replicator.addEventListener('catchup:failed', e => failures.push((e as CustomEvent<{ error: { code?: string } }>).detail.error.code ?? ''))
    await victim.replicator.connect(adversary.replicator.multiaddrs[0])
    await waitFor(() => victim.replicator.isBlocked(adversary.replicator.peerId), 'the adversary to be blocked')
    expect(failures).toContain('ERR_BAD_SIGNATURE')
    expect(await victim.graph.store.node(chain[0].cid)).toBeDefined()
    expect(await victim.graph.store.node(chain[1].cid)).toBeDefined()
    expect(await victim.graph.store.node(chain[2].cid)).toBeUndefined()
  })

  it('a rogue writer\'s bad signature endorsed by its own next commit is accepted: it could have signed it', async () => {
    const sent: CID[] = []
    const w = await world(112, async (stream, { writer, keys }) => {
      const node = createCommit({ db: writer.graph.addressCid, parents: [], chunks: encodeDelta([quadKeys(quad('rogue', 'p', 'unsigned'))], []), signer: new Signer(keys.adversary), time: 0 }).node.value
      const forged = encodeBlock({ ...node, sig: new Uint8Array(64) })
      const child = createCommit({ db: writer.graph.addressCid, parents: [{ cid: forged.cid, height: node.height }], chunks: encodeDelta([quadKeys(quad('rogue', 'p', 'endorser'))], []), signer: new Signer(keys.adversary), time: 0 })
      if (sent.length === 0) sent.push(forged.cid, child.node.cid)
      await respond(stream, [encodeBlockFrame(FRAME_NODE, forged.cid, forged.bytes), encodeBlockFrame(FRAME_NODE, child.node.cid, child.node.bytes), encodeEndFrame({ sent: 2, more: false })])
    })
    const { victim, adversary } = w
    await victim.replicator.connect(adversary.replicator.multiaddrs[0])
    await waitFor(async () => sent.length === 2 && await victim.graph.store.node(sent[1]) !== undefined, 'the endorsed pair to be applied', { graphs: [victim.graph] })
    expect(await victim.graph.store.node(sent[0])).toBeDefined()
    expect(victim.replicator.isBlocked(adversary.replicator.peerId)).toBe(false)
  })

  it('with endorse: false, the same pair is rejected: every signature is checked', async () => {
    const w = await world(113, async (stream, { writer, keys }) => {
      const node = createCommit({ db: writer.graph.addressCid, parents: [], chunks: encodeDelta([quadKeys(quad('rogue', 'p', 'unsigned'))], []), signer: new Signer(keys.adversary), time: 0 }).node.value
      const forged = encodeBlock({ ...node, sig: new Uint8Array(64) })
      const child = createCommit({ db: writer.graph.addressCid, parents: [{ cid: forged.cid, height: node.height }], chunks: encodeDelta([quadKeys(quad('rogue', 'p', 'endorser'))], []), signer: new Signer(keys.adversary), time: 0 })
      await respond(stream, [encodeBlockFrame(FRAME_NODE, forged.cid, forged.bytes), encodeBlockFrame(FRAME_NODE, child.node.cid, child.node.bytes), encodeEndFrame({ sent: 2, more: false })])
    }, { endorse: false })
    await expectPenalizedAndHonestSync(w)
  })

  it('a node signed by a key that is not a writer', async () => {
    const w = await world(103, async (stream, { writer, keys }) => {
      const head = await headBlock(writer.graph)
      const commit = createCommit({ db: writer.graph.addressCid, parents: [{ cid: head.cid, height: head.value.height }], chunks: encodeDelta([quadKeys(quad('evil', 'p', 'foreign'))], []), signer: new Signer(keys.stranger) })
      await respond(stream, [encodeBlockFrame(FRAME_NODE, commit.node.cid, commit.node.bytes), encodeEndFrame({ sent: 1, more: false })])
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('a validly signed node whose parents never come (endless parents)', async () => {
    const w = await world(104, async (stream, { writer, keys }) => {
      const frames: Uint8Array[] = []
      // a chain of writer-signed nodes, each naming a parent that does not exist
      for (let i = 0; i < 3; i++) {
        const ghost = CID.createV1(dagCbor.code, sha256.digest(new TextEncoder().encode(`ghost ${i}`)) as Awaited<ReturnType<typeof sha256.digest>>)
        const commit = createCommit({ db: writer.graph.addressCid, parents: [{ cid: ghost, height: 1000 + i }], chunks: encodeDelta([quadKeys(quad('evil', 'p', `ghost${i}`))], []), signer: new Signer(keys.adversary) })
        frames.push(encodeBlockFrame(FRAME_NODE, commit.node.cid, commit.node.bytes))
      }
      await respond(stream, [...frames, encodeEndFrame({ sent: frames.length, more: false })])
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('a stream that never ends: more nodes than were asked for', async () => {
    const w = await world(105, async (stream, { writer }) => {
      const head = await headBlock(writer.graph)
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
      const request = decodeRequest((await lp.read()).subarray())
      for (let i = 0; i <= request.max + 10; i++) await lp.write(encodeBlockFrame(FRAME_NODE, head.cid, head.bytes))
      await stream.close()
    }, { roundSize: 200 })
    await expectPenalizedAndHonestSync(w)
  })

  it('a frame larger than the frame limit', async () => {
    const w = await world(106, async stream => {
      const lp = lpStream(stream, { maxDataLength: 4 * MAX_FRAME_BYTES })
      decodeRequest((await lp.read()).subarray())
      await lp.write(new Uint8Array(MAX_FRAME_BYTES + 1))
      await stream.close()
    })
    await expectPenalizedAndHonestSync(w)
  })

  it('announcements of heads that do not exist', async () => {
    const w = await world(107)
    const { adversary, victim } = w
    const penalized: string[] = []
    victim.replicator.addEventListener('peer:penalized', e => penalized.push((e as CustomEvent<{ peer: string }>).detail.peer))
    const pubsub = adversary.replicator.ipfs.libp2p.services.pubsub
    const topic = topicOf(adversary.graph.address)
    let n = 0
    const announceGhost = async (): Promise<boolean> => {
      const ghost = CID.createV1(dagCbor.code, sha256.digest(new TextEncoder().encode(`nothing ${n++}`)) as Awaited<ReturnType<typeof sha256.digest>>)
      if (pubsub.getSubscribers(topic).length > 0) await pubsub.publish(topic, encodeAnnouncement([ghost]))
      return penalized.includes(adversary.replicator.peerId)
    }
    const check = expectPenalizedAndHonestSync(w)
    await waitFor(announceGhost, 'ghost announcements to get the adversary penalized')
    await check
  })

  it('a peer that floods the topic', async () => {
    const w = await world(108)
    const { adversary } = w
    const pubsub = adversary.replicator.ipfs.libp2p.services.pubsub
    const topic = topicOf(adversary.graph.address)
    const heads = await adversary.graph.heads()
    let flooding = true
    const flood = (async () => {
      await waitFor(() => pubsub.getSubscribers(topic).length >= 1, 'the victim to subscribe')
      // eslint-disable-next-line no-unmodified-loop-condition -- the test's body sets flooding = false while this loop runs
      for (let i = 0; i < 2000 && flooding; i++) await pubsub.publish(topic, encodeAnnouncement(heads)).catch(() => {})
    })()
    await expectPenalizedAndHonestSync(w)
    flooding = false
    await flood
  })

  it('a peer that ends a catch-up stream early is not penalized (it may be shutting down)', async () => {
    const w = await world(109, async stream => {
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
      decodeRequest((await lp.read()).subarray())
      await stream.close()
    })
    const { victim, adversary } = w
    const failures: string[] = []
    victim.replicator.addEventListener('catchup:failed', e => failures.push((e as CustomEvent<{ error: { code?: string } }>).detail.error.code ?? ''))
    await victim.replicator.connect(adversary.replicator.multiaddrs[0])
    await waitFor(() => failures.includes('ERR_STREAM_ENDED'), 'the early end to be seen')
    expect(victim.replicator.isBlocked(adversary.replicator.peerId)).toBe(false)
  })
})
