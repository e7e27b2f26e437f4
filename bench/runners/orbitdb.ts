/**
 * OrbitDB runner: an OrbitDB events database (its append-only log, the cheapest of
 * its database types) over a Helia node whose blocks and data are kept in LevelDB,
 * so that a write is on disk once `add` resolves. Each write is one small entry (a
 * triple as an N-Triples line), signed and appended as OrbitDB does for every write.
 *
 * The libp2p node under Helia has no transports, discovery or services: the
 * benchmark measures local commits, and OrbitDB is opened with `sync: false` so no
 * pubsub is needed (Rhizome's local commits publish nothing either).
 */
import { join } from 'node:path'
import { createOrbitDB } from '@orbitdb/core'
import { createHelia } from 'helia'
import { LevelBlockstore, LevelDatastore } from './level-helia-stores.js'
import { durableCommits, runTask, stringArg } from './protocol.js'
import type { EventsDatabase, OrbitDB } from '@orbitdb/core'

interface Peer {
  orbitdb: OrbitDB
  stop: () => Promise<void>
}

/** A Helia node on LevelDB stores in `path`, offline, and an OrbitDB on it. */
async function startPeer (path: string): Promise<Peer> {
  const blockstore = new LevelBlockstore(join(path, 'blocks'))
  const datastore = new LevelDatastore(join(path, 'data'))
  await blockstore.open()
  await datastore.open()
  const ipfs = createHelia({
    blockstore,
    datastore,
    libp2p: { addresses: { listen: [] }, transports: [], peerDiscovery: [], services: {} }
  })
  await ipfs.start()
  const orbitdb = await createOrbitDB({ ipfs, id: 'bench', directory: join(path, 'orbitdb') })
  return {
    orbitdb,
    async stop () {
      await orbitdb.stop()
      await ipfs.stop()
      await blockstore.close()
      await datastore.close()
    }
  }
}

/** The i-th small write: the same triple Rhizome's runner commits, as an N-Triples line. */
function commitLine (i: number): string {
  return `<http://example.org/bench/item/${i}> <http://example.org/bench#value> "${i}" .`
}

async function countEntries (db: EventsDatabase): Promise<number> {
  let entries = 0
  for await (const _ of db.iterator()) entries++
  return entries
}

await runTask({
  /** `writes` awaited `add`s, then a SIGKILL without closing; the parent verifies in a fresh process. */
  async commits (args) {
    return await durableCommits(args, async (path) => {
      const peer = await startPeer(path)
      const db = await peer.orbitdb.open('rhizome-bench', { type: 'events', sync: false })
      return { write: async (i) => { await db.add(commitLine(i)) }, close: async () => { await peer.stop() }, details: { address: db.address } }
    })
  },

  /** Reopens the database at `address` and counts the entries that survived. */
  async verify (args) {
    const peer = await startPeer(stringArg(args, 'path'))
    const db = await peer.orbitdb.open(stringArg(args, 'address'), { sync: false })
    const found = await countEntries(db)
    await peer.stop()
    return { found }
  }
})
