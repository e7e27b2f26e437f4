/**
 * OrbitDB side of the sync benchmark (@orbitdb/core, an events database: its append-only
 * log), over Helia nodes on loopback TCP with Noise, Yamux, identify and gossipsub (what
 * OrbitDB's replication needs), blocks in LevelDB as in the core benchmark's runner.
 *   source   appends `entries` entries, then serves them; reports its address.
 *            On each "commit" line it appends one more entry.
 *   replica  opens the database by address and waits until it holds every entry: OrbitDB's
 *            own head exchange, then its log traversal fetching entries over bitswap. Then
 *            it reports each entry its 'update' event brings, for the latency measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventEmitter } from 'node:events'
import * as dagCbor from '@ipld/dag-cbor'
import { createOrbitDB, type EventsDatabase } from '@orbitdb/core'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { LevelBlockstore, LevelDatastore } from './level-helia-stores.js'
import { arg, commands, now, say } from './sync-lines.js'

const role = process.argv[2]
const dir = mkdtempSync(join(tmpdir(), `orbitdb-sync-${role}-`))

async function startNode (): Promise<{ ipfs: ReturnType<typeof withBitswap>, stop: () => Promise<void> }> {
  const blockstore = new LevelBlockstore(join(dir, 'blocks'))
  const datastore = new LevelDatastore(join(dir, 'data'))
  await blockstore.open()
  await datastore.open()
  const ipfs = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore, codecs: [dagCbor] }), {
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
  }))
  await ipfs.start()
  return {
    ipfs,
    stop: async () => {
      await ipfs.stop()
      await blockstore.close()
      await datastore.close()
    }
  }
}

async function count (db: EventsDatabase): Promise<number> {
  let n = 0
  for await (const _ of db.iterator()) n++
  return n
}

try {
  const node = await startNode()
  const orbitdb = await createOrbitDB({ ipfs: node.ipfs, id: role, directory: join(dir, 'orbitdb') })
  if (role === 'source') {
    const entries = arg<number>('entries')
    const db = await orbitdb.open('sync-bench', { type: 'events' })
    const start = now()
    for (let i = 0; i < entries; i++) await db.add(`<http://example.org/bench/item/${i}> <http://example.org/bench#value> "${i}" .`)
    say({ event: 'ready', address: db.address, multiaddrs: node.ipfs.libp2p.getMultiaddrs().map(String), buildMs: now() - start })
    let next = entries
    await commands(async () => {
      const at = now()
      const head = await db.add(`<http://example.org/bench/item/${next}> <http://example.org/bench#value> "${next}" .`)
      next++
      say({ event: 'committed', head, at })
    })
  } else if (role === 'replica') {
    const entries = arg<number>('entries')
    await node.ipfs.libp2p.dial(multiaddr(arg<string>('peer')))
    const start = now()
    const db = await orbitdb.open(arg<string>('address'))
    const events = (db as unknown as { events: EventEmitter }).events
    await new Promise<void>((resolve, reject) => {
      let checking = false
      let again = false
      const check = async (): Promise<void> => {
        if (checking) { again = true; return }
        checking = true
        try {
          do {
            again = false
            if (await count(db) >= entries) { resolve(); return }
          } while (again)
        } catch (err) {
          reject(err)
        } finally {
          checking = false
        }
      }
      events.on('update', () => { void check() })
      void check()
    })
    const ms = now() - start
    say({ event: 'caught-up', entries, ms, entriesPerSecond: entries / ms * 1000 })
    events.on('update', (entry: { hash: string }) => say({ event: 'seen', heads: [entry.hash], at: now() }))
    await commands(async () => {})
  } else {
    throw new Error(`unknown role ${role}`)
  }
  await orbitdb.stop()
  await node.stop()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
