/**
 * Names over real libp2p (replication/names.ts): a publish reaches connected replicas and
 * a newer record replaces the older on every one; bad records from the network (on the
 * topic or over Fetch) are refused and change nothing; a stock Helia node with
 * @helia/ipns's pubsub router, knowing nothing of Rhizome, resolves Rhizome's name and
 * Rhizome resolves the stock node's; an availability peer keeps a name alive after its
 * publisher left.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ipns, pubSubIPNSRouting } from '@helia/ipns'
import { fetch as fetchService } from '@libp2p/fetch'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { createIPNSRecordWithExpiration, marshalIPNSRecord } from 'ipns'
import { validate } from 'ipns/validator'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createReplicator, followNames, openGraph, type Graph } from '../../index.js'
import { encodeRoot, makeRecord, nameSigner, parseName } from '../../naming/index.js'
import { generateKeyPair as rhizomeKey } from '../../merkle-clock/index.js'
import { closeAll, LOOPBACK, mesh, quad, replicas, stockHelia, waitFor, type Replica } from './helpers.js'

let nodes: Replica[] = []
const stops: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
  await closeAll(nodes)
  nodes = []
})

async function stockNode (services: { fetch: boolean }): Promise<any> {
  const helia = await stockHelia({
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }),
    ...(services.fetch ? { fetch: fetchService() } : {})
  })
  stops.push(async () => await helia.stop())
  return helia
}

const held = async (graph: Graph, name: string): Promise<bigint | undefined> => (await graph.names()).find(n => n.name === name)?.record?.sequence

describe('names over libp2p', () => {
  it('a publish becomes resolvable on connected replicas, and a newer record replaces the older on every one', { timeout: 60_000 }, async () => {
    nodes = await replicas(3, 71)
    await mesh(nodes)
    const [writer, ...readers] = nodes
    await writer.graph.insert([quad('s', 'p', 'one')])
    const first = await writer.graph.publish('notes')
    expect(first.sequence).toBe(0n)
    for (const reader of readers) {
      const resolved = await reader.graph.resolve(`/ipns/${first.name}`, { timeout: 10_000 })
      expect(resolved.database).toBe(writer.graph.address)
      expect(resolved.heads.map(String)).toEqual((await writer.graph.heads()).map(String))
      expect(resolved.sequence).toBe(0n)
    }
    await writer.graph.insert([quad('s', 'p', 'two')])
    const second = await writer.graph.publish('notes')
    expect(second.sequence).toBe(1n)
    // The readers watch the name's topic now: the new record reaches each on its own.
    for (const reader of readers) await waitFor(async () => await held(reader.graph, first.name) === 1n, 'the newer record on every reader', { timeout: 20_000 })
    expect((await readers[0].graph.resolve(first.name)).heads.map(String)).toEqual(second.heads.map(String))
  })

  it('refuses forged, expired, oversized and V1-only records from the topic and from Fetch, and keeps the good one', { timeout: 60_000 }, async () => {
    nodes = await replicas(2, 73)
    await mesh(nodes)
    const [writer, reader] = nodes
    const good = await writer.graph.publish('notes')
    await reader.graph.resolve(good.name, { timeout: 10_000 })
    const name = parseName(good.name)
    // A hostile peer that knows nothing of names but the topic: raw gossipsub messages.
    const hostile = await stockNode({ fetch: true })
    await hostile.libp2p.dial(multiaddr(reader.replicator.multiaddrs[0]))
    const root = await encodeRoot({ database: writer.graph.addressCid, heads: [] })
    const other = await nameSigner(rhizomeKey())
    const forged = await makeRecord(other.privateKey, root.cid, 1000n)
    const expired = marshalIPNSRecord(await createIPNSRecordWithExpiration(other.privateKey, root.cid, 1001n, new Date(Date.now() - 1000).toISOString(), { v1Compatible: false }))
    const v1 = new Uint8Array(readFileSync(fileURLToPath(new URL('../naming/vectors/k51qzi5uqu5dm4tm0wt8srkg9h9suud4wuiwjimndrkydqm81cqtlb5ak6p7ku_v1.ipns-record', import.meta.url))))
    const oversized = new Uint8Array(11 * 1024).fill(7)
    const kept: bigint[] = []
    const book = reader.replicator.nameServiceIfAny!.book
    book.addEventListener('record', event => { kept.push((event as CustomEvent).detail.record.sequence) })
    await waitFor(() => hostile.libp2p.services.pubsub.getSubscribers(name.topic).length > 0, 'the hostile peer sees the reader on the topic')
    for (const bytes of [forged, expired, v1, oversized]) await hostile.libp2p.services.pubsub.publish(name.topic, bytes)
    // Then the writer's newer record, after the bad ones: once it is kept, the bad ones were looked at and refused.
    const newer = await writer.graph.publish('notes')
    await waitFor(async () => await held(reader.graph, good.name) === newer.sequence, 'the good newer record', { timeout: 20_000 })
    expect(kept).toEqual([newer.sequence])
    // Over Fetch: a peer that answers every name with a forged record. Alone, it gives the record's code.
    hostile.libp2p.services.fetch.registerLookupFunction('/ipns/', async () => forged)
    const lonely = await openGraph()
    const lonelyReplicator = await lonely.replicate({ listen: LOOPBACK, workers: 0 })
    stops.push(async () => await lonely.close())
    await lonelyReplicator.connect(hostile.libp2p.getMultiaddrs()[0].toString())
    await expect(lonely.resolve(good.name, { timeout: 1_000 })).rejects.toMatchObject({ code: 'ERR_RECORD_SIGNATURE' })
    expect((await lonely.names()).find(n => n.name === good.name)?.record).toBeUndefined()
  })

  it('interoperates with a stock Helia node and @helia/ipns pubsub routing, both ways', { timeout: 60_000 }, async () => {
    nodes = await replicas(1, 75)
    const [rhizome] = nodes
    await rhizome.graph.insert([quad('s', 'p', 'o')])
    const published = await rhizome.graph.publish('notes')
    const helia = await stockNode({ fetch: true })
    const name = ipns(helia, { routers: [pubSubIPNSRouting(helia)] })
    await helia.libp2p.dial(multiaddr(rhizome.replicator.multiaddrs[0]))
    // Rhizome's name, resolved by the stock node: the same root.
    await waitFor(() => helia.libp2p.services.pubsub.getPeers().length > 0, 'the stock node in pubsub with Rhizome')
    let value: string | undefined
    for (let attempt = 0; attempt < 50 && value === undefined; attempt++) {
      try {
        for await (const result of name.resolve(published.name, { signal: AbortSignal.timeout(5_000) })) value = result.value
      } catch {} // the first call subscribes; the pubsub router answers once a subscriber has it
    }
    expect(value).toBe(`/ipfs/${published.root.toString()}`)
    // A record the stock node publishes, of a root it holds: Rhizome resolves it and fetches the root over bitswap.
    const root = await encodeRoot({ database: rhizome.graph.addressCid, heads: await rhizome.graph.heads() })
    await helia.blockstore.put(root.cid, root.bytes)
    const { name: theirs } = await name.publish('theirs', root.cid, { signal: AbortSignal.timeout(10_000) })
    expect(theirs.startsWith('/ipns/k51')).toBe(true)
    const resolved = await rhizome.graph.resolve(theirs, { timeout: 10_000 })
    expect(resolved.root.toString()).toBe(root.cid.toString())
    expect(resolved.database).toBe(rhizome.graph.address)
  })

  it('an availability peer keeps a name alive after its publisher left: it re-sends the record, still valid, and serves it', { timeout: 60_000 }, async () => {
    nodes = await replicas(1, 77)
    const [writer] = nodes
    await writer.graph.insert([quad('s', 'p', 'kept')])
    const published = await writer.graph.publish('notes')
    const pinner = await createReplicator({ listen: LOOPBACK, workers: 0 })
    const pinned: Graph[] = []
    stops.push(async () => { await pinner.stop(); await Promise.all(pinned.map(async g => await g.close())) })
    await pinner.connect(writer.replicator.multiaddrs[0])
    await followNames(pinner, [published.name], {
      rebroadcastInterval: 200,
      onDatabase: async address => {
        const graph = await openGraph({ address, fetch: pinner.manifestFetcher() })
        pinned.push(graph)
        await pinner.follow(graph)
      }
    })
    await waitFor(async () => pinned.length === 1 && await pinned[0].size() === 1, 'the pinner holding the named database', { timeout: 20_000 })
    await writer.graph.close()
    // A stock node that only listens on the topic (no Fetch): it hears the pinner re-send the record.
    const listener = await stockNode({ fetch: false })
    const topic = parseName(published.name).topic
    const heard: Uint8Array[] = []
    listener.libp2p.services.pubsub.addEventListener('message', (event: CustomEvent) => { if (event.detail.topic === topic) heard.push(event.detail.data) })
    listener.libp2p.services.pubsub.subscribe(topic)
    await listener.libp2p.dial(multiaddr(pinner.multiaddrs[0]))
    await waitFor(() => heard.length > 0, 'the pinner re-sending the record', { timeout: 20_000 })
    await validate(parseName(published.name).publicKey, heard[0])
    // And a fresh replica that never met the writer opens the database by name through the pinner.
    const fresh = await openGraph({ ipns: `/ipns/${published.name}`, replicate: { listen: LOOPBACK, workers: 0, peers: [pinner.multiaddrs[0]] } })
    stops.push(async () => await fresh.close())
    expect(fresh.address).toBe(published.database)
    expect(await fresh.size()).toBe(1)
  })
})
