/**
 * Helia's blockstore, made of the databases' own block stores: bitswap serves a Rhizome
 * replica's blocks to any IPFS peer straight from its store, with no second copy.
 *
 * Reads look in every database the replicator hosts. Writes (blocks bitswap fetched, files
 * added with @helia/unixfs) go to the first one's store as blocks outside any commit, the
 * way the manifest is kept; a block stored there is never trusted as a commit: the core
 * verifies it again when a merge reads it.
 *
 * Blocks are never deleted (the DAG only grows), so `delete` does nothing, and `getAll` is
 * not offered (a store may hold millions of blocks; nothing here needs to list them).
 */
import type { CID } from 'multiformats/cid'
import type { Blockstore, InputPair, Pair } from 'interface-blockstore'
import { NotFoundError } from 'interface-store'
import type { AbortOptions } from '@libp2p/interface'
import type { ReplicaStore } from './graph.js'
import { MAX_BLOCK_BYTES } from '../quad-model/index.js'
import { ProtocolError } from './errors.js'

async function collect (bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (bytes instanceof Uint8Array) return bytes
  const parts: Uint8Array[] = []
  let length = 0
  for await (const part of bytes) {
    parts.push(part)
    length += part.length
    if (length > MAX_BLOCK_BYTES) throw new ProtocolError(`block larger than ${MAX_BLOCK_BYTES} bytes`)
  }
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) { out.set(part, at); at += part.length }
  return out
}

export class BackendBlockstore implements Blockstore {
  /** @param backends the stores to read, the first also written; a function, since databases come and go */
  /**
   * @param backends the stores to read, the first also written; a function, since databases come and go
   * @param extra read-only sources of blocks that are in no database (the root blocks of names)
   */
  constructor (private readonly backends: () => ReplicaStore[], private readonly extra: () => Array<(cid: CID) => Promise<Uint8Array | undefined>> = () => []) {}

  async has (cid: CID): Promise<boolean> {
    for (const backend of this.backends()) if (await backend.hasBlock(cid)) return true
    for (const source of this.extra()) if (await source(cid) !== undefined) return true
    return false
  }

  async put (cid: CID, bytes: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    options?.signal?.throwIfAborted()
    const home = this.backends()[0]
    if (home === undefined) throw new NotFoundError('no database to store blocks in')
    if (!await this.has(cid)) await home.putBlocks([{ cid, bytes: await collect(bytes) }])
    return cid
  }

  async * putMany (source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: AbortOptions): AsyncGenerator<CID> {
    for await (const pair of source) yield await this.put(pair.cid, pair.bytes, options)
  }

  async * get (cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    options?.signal?.throwIfAborted()
    for (const backend of this.backends()) {
      const bytes = await backend.getBlock(cid)
      if (bytes !== undefined) {
        yield bytes
        return
      }
    }
    for (const source of this.extra()) {
      const bytes = await source(cid)
      if (bytes !== undefined) {
        yield bytes
        return
      }
    }
    throw new NotFoundError(`block ${cid} not found`)
  }

  async * getMany (source: Iterable<CID> | AsyncIterable<CID>, options?: AbortOptions): AsyncGenerator<Pair> {
    for await (const cid of source) yield { cid, bytes: this.get(cid, options) }
  }

  async delete (): Promise<void> {}

  async * deleteMany (source: Iterable<CID> | AsyncIterable<CID>): AsyncGenerator<CID> {
    yield * source
  }

  async * getAll (): AsyncGenerator<Pair> {
    throw new ProtocolError('listing every block of a database is not supported')
  }
}

/** Reads a whole block from a blockstore's streaming `get`. */
export async function readBlock (blockstore: Pick<Blockstore, 'get'>, cid: CID, options?: AbortOptions): Promise<Uint8Array> {
  return await collect(blockstore.get(cid, options))
}
