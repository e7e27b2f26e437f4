/**
 * `rhizome/browser`: Rhizome for web pages, the public API of index.ts plus a graph
 * kept in IndexedDB. scripts/browser-build.mjs bundles this entry into one ES module
 * (dist/browser/rhizome.js) in which no Node-only module is reachable: what needs
 * Node (a folder, a file: URL, worker threads) fails with ERR_UNSUPPORTED_PLATFORM.
 * Replication runs over WebSockets (replication/transports.browser.ts) with replicas
 * that listen on them, such as `rhizome serve`. docs/BROWSER.md has the figures and
 * the commands.
 *
 *   const graph = await openBrowserGraph({ name: 'notes' })
 *   await graph.update('INSERT DATA { <urn:n1> <urn:text> "hello" }')
 *   const result = await graph.query('SELECT ?text { ?note <urn:text> ?text }')
 *   if (result.type === 'bindings') for await (const row of result) show(solutionToRecord(row))
 *
 * A replica of a database another replica serves (its address, and a peer's multiaddr):
 *
 *   const replicator = await createReplicator({ peers: [peer] })
 *   const graph = await openBrowserGraph({ name: 'notes', address, fetch: replicator.manifestFetcher() })
 *   await graph.replicateOn(replicator)    // next time: (await openBrowserGraph({ name: 'notes' })).replicate({ peers: [peer] })
 *
 * The replica's key is kept in the database itself (meta `identity`, the seed in
 * base64), as identity.json is kept in a folder: a reload writes as the same writer.
 * Anything that can run script in the origin can read it, as anything running as the
 * user can read identity.json.
 */
import { generateKeyPair, keyPairFromSeed, type KeyPair } from '../merkle-clock/index.js'
import { IndexedDbBackend, type IndexedDbBackendOptions } from '../store/index.js'
import { openGraph, type Graph, type OpenGraphOptions } from '../graph/index.js'

export * from '../index.js'
export { IndexedDbBackend, type IndexedDbBackendOptions, MemoryBackend } from '../store/index.js'

export interface OpenBrowserGraphOptions extends Omit<OpenGraphOptions, 'path' | 'backend' | 'ipns' | 'replicate'>, Pick<IndexedDbBackendOptions, 'durability'> {
  /** The IndexedDB database: one per Rhizome database in an origin. (Not an IPNS name: that is openGraph's `ipns`.) */
  name: string
}

const IDENTITY_META = 'identity'

/**
 * Opens (or creates) a graph kept in the IndexedDB database `name`. Fails with
 * ERR_DATABASE_LOCKED while another tab has it open, and a write the browser refuses
 * for quota with ERR_STORAGE_QUOTA (nothing of it kept).
 */
export async function openBrowserGraph (options: OpenBrowserGraphOptions): Promise<Graph> {
  const backend = await IndexedDbBackend.open({ name: options.name, durability: options.durability })
  let identity: KeyPair
  try {
    identity = options.identity ?? await storedIdentity(backend)
  } catch (err) {
    await backend.close()
    throw err
  }
  // `name` is the IndexedDB database's, not a field of openGraph's options.
  const { name: _name, durability: _durability, ...graphOptions } = options
  return await openGraph({ ...graphOptions, backend, identity })
}

async function storedIdentity (backend: IndexedDbBackend): Promise<KeyPair> {
  const stored = await backend.getMeta(IDENTITY_META)
  if (stored !== undefined) return keyPairFromSeed(Uint8Array.from(atob(stored), c => c.charCodeAt(0)))
  const keys = generateKeyPair()
  await backend.setMeta(IDENTITY_META, btoa(String.fromCharCode(...keys.privateKey)))
  return keys
}
