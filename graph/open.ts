/**
 * `openGraph`: wires an identity, a storage backend and a database manifest into a
 * Graph. A folder holds one database: opened if there, created if not (unless
 * `create: false`), or, given an `address` and a `fetch`, a new replica of an
 * existing database whose manifest is fetched and verified against the address.
 */
import { CID } from 'multiformats/cid'
import { throwIfAborted } from '../quad-model/index.js'
import { createManifest, decodeManifest, generateKeyPair, type BlockFetcher, type KeyPair } from '../merkle-clock/index.js'
import { loadIdentity, loadOrCreateIdentity, MemoryBackend, SqliteBackend, sqliteStoreExists, type Backend } from '../store/index.js'
import { parseCid } from './cid.js'
import { DatabaseExistsError, DatabaseMismatchError, DatabaseNotFoundError } from './errors.js'
import { Graph } from './graph.js'
import type { NameStorage } from '../naming/index.js'
import type { ReplicatorOptions } from '../replication/index.js'

export interface CreateOptions {
  /** A name for people; not unique. */
  name?: string
  /** Writers besides this replica, as did:key strings. */
  writers?: string[]
  /** Lets any key write. Off by default: only the listed writers may. */
  open?: boolean
  /** Fail with DatabaseExistsError if the folder already holds a database, instead of opening it. */
  exclusive?: boolean
}

export interface OpenGraphOptions {
  /** A folder for the persistent default (SQLite); without one the graph lives in memory. */
  path?: string
  /** A storage backend to use instead of the default. The graph owns it from now on: `close()` closes it. */
  backend?: Backend
  /** The replica's key pair. Default: loaded from (or created in) `path`, or generated for an in-memory graph. */
  identity?: KeyPair
  /** Open a replica of an existing database, by address. Default: the folder's database, or a new one. */
  address?: string | CID
  /** Where to fetch the manifest of `address` when it is not stored locally. */
  fetch?: BlockFetcher
  /** The manifest of a new database. Default: named after nothing, this replica its only writer, closed. */
  create?: CreateOptions | false
  /**
   * Open the folder's database for queries and exports only (SqliteBackendOptions.readOnly):
   * nothing in the folder is written, writes are ReadOnlyError (ERR_READ_ONLY), and no
   * database is created. The identity is read when it is there and readable (a
   * throwaway key otherwise: a read-only graph signs nothing).
   */
  readOnly?: boolean
  /**
   * Open the database an IPNS name points at (`k51…` or `/ipns/k51…`): the name is resolved on a
   * replicator started with `replicate` (its peers: an availability peer or the
   * publisher), the database opened at the record's address, caught up to at least the
   * record's heads, and left replicating live (`close()` stops it). The name is followed
   * from then on (`graph.names()`).
   */
  ipns?: string
  /** The replicator's options for `ipns` (peers, listen addresses, …), and how long to wait for the record (ms; default 10,000). */
  replicate?: ReplicatorOptions & { resolveTimeout?: number }
  signal?: AbortSignal
}

async function openBackend (options: OpenGraphOptions): Promise<Backend> {
  if (options.backend !== undefined) return options.backend
  if (options.path !== undefined) return await SqliteBackend.open({ path: options.path, readOnly: options.readOnly })
  return new MemoryBackend()
}

/** A read-only open's identity: the folder's if it can be read, else a throwaway key. */
function readableIdentity (path: string): KeyPair {
  try {
    return loadIdentity(path) ?? generateKeyPair()
  } catch {
    return generateKeyPair()
  }
}

/** Opens (or creates) a graph: persistent in `path`, or in memory without one. */
export async function openGraph (options: OpenGraphOptions = {}): Promise<Graph> {
  throwIfAborted(options.signal)
  if (options.ipns !== undefined) return await openNamed(options.ipns, options)
  // Opening must not leave files in a folder that holds no database and should not get one.
  if (options.readOnly === true) options = { ...options, create: false }
  if (options.create === false && options.backend === undefined && options.path !== undefined && !sqliteStoreExists(options.path)) {
    throw new DatabaseNotFoundError(options.path)
  }
  const identity = options.identity ?? (options.path === undefined ? generateKeyPair() : options.readOnly === true ? readableIdentity(options.path) : loadOrCreateIdentity(options.path))
  const backend = await openBackend(options)
  try {
    const stored = await backend.getMeta('address')
    const asked = options.address === undefined ? undefined : parseCid(options.address)
    let address: CID
    if (stored !== undefined) {
      if (options.create !== undefined && options.create !== false && options.create.exclusive === true) throw new DatabaseExistsError(options.path ?? 'memory', stored)
      address = CID.parse(stored)
      if (asked !== undefined && !asked.equals(address)) throw new DatabaseMismatchError(stored, asked.toString())
    } else if (asked !== undefined) {
      address = asked
      if (!await backend.hasBlock(address)) {
        const bytes = await options.fetch?.get(address, { signal: options.signal })
        if (bytes === undefined) throw new DatabaseNotFoundError(`the local store or the given fetcher (address ${address})`)
        const block = decodeManifest(address, bytes)
        await backend.putBlocks([block])
      }
      await backend.setMeta('address', address.toString())
    } else {
      if (options.create === false) throw new DatabaseNotFoundError(options.path ?? 'memory')
      const create = options.create ?? {}
      const block = createManifest({ name: create.name, writers: [identity.publicKey, ...(create.writers ?? [])], open: create.open })
      await backend.putBlocks([block])
      await backend.setMeta('address', block.cid.toString())
      address = block.cid
    }
    const bytes = await backend.getBlock(address)
    if (bytes === undefined) throw new DatabaseNotFoundError(`the store (manifest ${address} is missing)`)
    const manifest = decodeManifest(address, bytes).value
    return new Graph(backend, address, manifest, identity, namesOf(options))
  } catch (err) {
    await backend.close()
    throw err
  }
}

/** Where a graph keeps its names: `names/` in its folder, else in memory. */
function namesOf (options: OpenGraphOptions): (() => Promise<NameStorage>) | undefined {
  const path = options.path
  if (path === undefined || options.backend !== undefined) return undefined
  return async () => {
    const { fileNameStorage, memoryNameStorage } = await import('../naming/index.js')
    return options.readOnly === true ? memoryNameStorage() : fileNameStorage(`${path}/names`)
  }
}

/** openGraph({ ipns }): resolve, open at the record's database, catch up to its heads, replicate. */
async function openNamed (text: string, options: OpenGraphOptions): Promise<Graph> {
  const [{ Replicator }, { resolveFresh }] = await Promise.all([import('../replication/index.js'), import('./names.js')])
  const { resolveTimeout, ...replicate } = options.replicate ?? {}
  const replicator = await Replicator.create(replicate)
  let graph: Graph | undefined
  try {
    // Resolved with a book of its own; the graph's book takes the record over once it is open.
    const { name, record, root, rootBytes } = await resolveFresh(replicator, text, { signal: options.signal, timeout: resolveTimeout })
    graph = await openGraph({ ...options, ipns: undefined, replicate: undefined, address: root.database, fetch: replicator.manifestFetcher() })
    await graph.replicateOn(replicator)
    await graph.adoptName(name, record.bytes, root.cid, rootBytes)
    await graph.catchUp(root.heads, replicator, options.signal)
    return graph
  } catch (err) {
    if (graph !== undefined) await graph.close()
    else await replicator.stop()
    throw err
  }
}
