/**
 * IPFS interop and files. A stock Helia node (light constructors, TCP, Noise, Yamux,
 * bitswap, its own memory blockstore; nothing of Rhizome) dials a Rhizome replica and pins
 * the database by its head CID: a recursive dag-cbor traversal over bitswap that must
 * bring every commit block and the manifest. Files added with graph.addFile travel with
 * catch-up and are served to the stock node by CID. A private-network key keeps out peers
 * that lack it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { unixfs } from '@helia/unixfs'
import { generateKey } from '@libp2p/pnet'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { factory } from '../../index.js'
import { CATCHUP_PROTOCOL, fileCid } from '../../replication/index.js'
import { closeAll, converged, dump, ex, mesh, quad, replicas, stockHelia, waitFor, type Replica } from './helpers.js'

let nodes: Replica[] = []
afterEach(async () => { await closeAll(nodes); nodes = [] })

async function bytesOf (chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts).toString('utf8')
}

describe('IPFS interop and files', () => {
  it('a stock Helia node pins a Rhizome database by its head CID over bitswap', async () => {
    nodes = await replicas(1, 41)
    const [rhizome] = nodes
    for (let i = 0; i < 20; i++) await rhizome.graph.insert([quad('s', 'p', String(i))])
    await Promise.all(Array.from({ length: 10 }, async (_, i) => await rhizome.graph.insert([quad('t', 'p', String(i))])))
    const helia = await stockHelia()
    try {
      await helia.libp2p.dial(multiaddr(rhizome.replicator.multiaddrs[0]))
      const [head] = await rhizome.graph.heads()
      const pinned: CID[] = []
      for await (const cid of helia.pins.add(head, { signal: AbortSignal.timeout(30_000) })) pinned.push(cid)
      const log = await rhizome.graph.log({ limit: 1000 })
      expect(log.length).toBe(30)
      for (const entry of log) expect(await helia.blockstore.has(entry.cid)).toBe(true)
      expect(await helia.blockstore.has(rhizome.graph.addressCid)).toBe(true)
      expect(new Set(pinned.map(String)).size).toBe(31) // every commit and the manifest
    } finally {
      await helia.stop()
    }
  })

  it('files: addFile names content by ipfs://CID, catch-up carries it, and a stock IPFS node fetches it', async () => {
    nodes = await replicas(2, 43)
    const [writer, reader] = nodes
    const content = 'a picture, a document or any other media, '.repeat(20_000) // ~860 KB: several UnixFS blocks
    const iri = await writer.graph.addFile(new TextEncoder().encode(content))
    expect(iri).toMatch(/^ipfs:\/\/baf/)
    await writer.graph.insert([factory.quad(ex('report'), ex('attachment'), factory.namedNode(iri))])
    await mesh(nodes)
    await waitFor(async () => await converged([writer.graph, reader.graph]), 'the reader to catch up', { graphs: [reader.graph] })
    expect(await dump(reader.graph)).toEqual(await dump(writer.graph))
    // the file's blocks came with the commit: the reader has the root locally
    expect(await reader.graph.store.hasBlock(fileCid(iri))).toBe(true)
    await writer.graph.close()
    expect(await bytesOf(reader.graph.catFile(iri))).toBe(content)
    const helia = await stockHelia()
    try {
      await helia.libp2p.dial(multiaddr(reader.replicator.multiaddrs[0]))
      // Pinning the head recursively brings the file: the commit node links it (`files`).
      const [head] = await reader.graph.heads()
      for await (const _ of helia.pins.add(head, { signal: AbortSignal.timeout(30_000) })) { /* pinning */ }
      expect(await helia.blockstore.has(fileCid(iri))).toBe(true)
      expect(await bytesOf(unixfs(helia).cat(fileCid(iri), { offline: true, signal: AbortSignal.timeout(30_000) }))).toBe(content)
    } finally {
      await helia.stop()
    }
  })

  it('a private-network key: peers with it replicate, a peer without it cannot connect', async () => {
    const psk = new Uint8Array(95)
    generateKey(psk)
    nodes = await replicas(2, 47, { psk })
    const [a, b] = nodes
    await a.graph.insert([quad('private', 'p', '1')])
    await mesh(nodes)
    await waitFor(async () => await converged([a.graph, b.graph]), 'the two key holders to converge', { graphs: [b.graph] })
    const outsider = await replicas(1, 48)
    nodes.push(...outsider)
    await expect(outsider[0].replicator.connect(a.replicator.multiaddrs[0], { signal: AbortSignal.timeout(2_000) })).rejects.toThrow()
  })

  it('replicas reach each other over WebSockets too', async () => {
    nodes = await replicas(2, 53, { listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    const [a, b] = nodes
    expect(a.replicator.multiaddrs[0]).toMatch(/\/ws\//)
    await a.graph.insert([quad('ws', 'p', '1')])
    await mesh(nodes)
    await b.graph.insert([quad('ws', 'p', '2')])
    await waitFor(async () => await converged([a.graph, b.graph]) && await a.graph.size() === 2, 'convergence over WebSockets', { graphs: [a.graph, b.graph] })
  })

  it('bitswap is the fallback when the only path to a writer is a peer that does not serve catch-up', async () => {
    nodes = await replicas(3, 59, { announceInterval: 300 })
    const [writer, relay, reader] = nodes
    await writer.graph.insert([quad('far', 'p', '0')])
    await writer.replicator.connect(relay.replicator.multiaddrs[0])
    await waitFor(async () => await converged([writer.graph, relay.graph]), 'the relay to have the first commit', { graphs: [relay.graph] })
    // the relay keeps gossiping and serving bitswap, but no longer answers catch-up
    await relay.replicator.ipfs.libp2p.unhandle(CATCHUP_PROTOCOL)
    await reader.replicator.connect(relay.replicator.multiaddrs[0])
    await writer.graph.insert([quad('far', 'p', '1')])
    await waitFor(async () => await converged([writer.graph, relay.graph]), 'the relay to follow the writer', { graphs: [relay.graph] })
    await waitFor(async () => await converged([writer.graph, reader.graph]), 'the reader to get the commits over bitswap through the relay', { graphs: [reader.graph] })
    expect(reader.replicator.ipfs.libp2p.getConnections(writer.replicator.ipfs.libp2p.peerId)).toHaveLength(0)
    expect(await dump(reader.graph)).toEqual(await dump(writer.graph))
  })
})
