/**
 * Files beside the graph. `addFile` stores content as UnixFS (@helia/unixfs: dag-pb and
 * raw blocks, sha2-256) in the database's own block store and names it by an `ipfs://CID`
 * IRI for quads to use. A commit whose quads name such an IRI carries the file: the
 * catch-up responder sends the file's blocks right after the commit (see catchup.ts),
 * so pinning peers and fresh replicas get files with the graph; bitswap serves the same
 * blocks to any IPFS node by CID.
 *
 * The commit node also links the files (its `files` field, merkle-clock/node.ts), so a
 * stock IPFS node pinning a head recursively gets the graph's files with its blocks.
 * Catch-up finds them by the IRIs in the term tables, which also covers a commit naming
 * more files than a node links.
 */
import * as dagPb from '@ipld/dag-pb'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { unixfs } from '@helia/unixfs'
import type { Blockstore } from 'interface-blockstore'
import { equalBytes, MAX_BLOCK_BYTES, throwIfAborted, withTimeout, type DeltaChunk } from '../quad-model/index.js'
import { fileIriCid, HashMismatchError, sha256Of } from '../merkle-clock/index.js'
import { InvalidFileIriError, NotFoundOnNetworkError, ProtocolError } from './errors.js'

export const FILE_IRI_PREFIX = 'ipfs://'
/** Most blocks one file may have when it travels with a commit (at 256 KiB chunks: 256 GiB). */
export const MAX_FILE_BLOCKS = 1_000_000

export type FileInput = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>

/** Stores `content` as UnixFS in `blockstore`; returns its `ipfs://CID` IRI. */
export async function addFile (blockstore: Pick<Blockstore, 'get' | 'put' | 'has'>, content: FileInput, options: { signal?: AbortSignal } = {}): Promise<string> {
  const fs = unixfs({ blockstore })
  const cid = content instanceof Uint8Array
    ? await fs.addBytes(content, { signal: options.signal })
    : await fs.addByteStream(content, { signal: options.signal })
  return FILE_IRI_PREFIX + cid.toString()
}

/** Longest `catFile` waits for one block from peers by default, ms. */
export const BLOCK_TIMEOUT = 60_000

/**
 * The file's bytes, in order, from `blockstore` (which may fetch from peers). A block
 * that does not arrive within `blockTimeout` ms ends it with NotFoundOnNetworkError.
 */
export function catFile (blockstore: Pick<Blockstore, 'get' | 'put' | 'has'>, iri: string, options: { signal?: AbortSignal, blockTimeout?: number } = {}): AsyncIterable<Uint8Array> {
  const cid = fileCid(iri)
  const ms = options.blockTimeout ?? BLOCK_TIMEOUT
  const limited: Pick<Blockstore, 'get' | 'put' | 'has'> = {
    put: blockstore.put.bind(blockstore),
    has: blockstore.has.bind(blockstore),
    get: async function * (block, opts) {
      const signal = withTimeout(opts?.signal ?? options.signal, ms)
      try {
        yield * blockstore.get(block, { ...opts, signal })
      } catch (err) {
        if (signal.aborted && options.signal?.aborted !== true && opts?.signal?.aborted !== true) throw new NotFoundOnNetworkError(`block ${block} of file ${iri}`, ms, { cause: err })
        throw err
      }
    }
  }
  return unixfs({ blockstore: limited }).cat(cid, { signal: options.signal })
}

/** The CID an `ipfs://` IRI names. */
export function fileCid (iri: string): CID {
  const cid = fileIriCid(iri)
  if (cid === undefined) throw new InvalidFileIriError(iri)
  return cid
}

/** The files a delta's quads name (IRIs in its term tables), each once. */
export function filesNamedIn (chunks: readonly DeltaChunk[]): CID[] {
  const found = new Map<string, CID>()
  for (const chunk of chunks) {
    for (const term of chunk.t) {
      if (!term.startsWith(FILE_IRI_PREFIX)) continue
      try {
        const cid = fileCid(term)
        found.set(cid.toString(), cid)
      } catch {}
    }
  }
  return [...found.values()]
}

/** Checks a file block against its CID: sha2-256, dag-pb or raw, within the block limit. */
export function verifyFileBlock (cid: CID, bytes: Uint8Array): void {
  if (bytes.length > MAX_BLOCK_BYTES) throw new ProtocolError(`file block ${cid} exceeds the block limit`)
  if ((cid.code !== dagPb.code && cid.code !== raw.code) || cid.multihash.code !== sha256.code) throw new ProtocolError(`file block ${cid} is not dag-pb or raw with sha2-256`)
  if (!equalBytes(sha256Of(bytes), cid.multihash.digest)) throw new HashMismatchError(cid)
}

/** The blocks of the file DAG under `root` that `getBlock` has, root first. */
export async function * fileBlocks (getBlock: (cid: CID) => Promise<Uint8Array | undefined>, root: CID, signal?: AbortSignal): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
  const stack = [root]
  const seen = new Set<string>()
  while (stack.length > 0 && seen.size < MAX_FILE_BLOCKS) {
    throwIfAborted(signal)
    const cid = stack.pop() as CID
    const key = cid.toString()
    if (seen.has(key)) continue
    seen.add(key)
    const bytes = await getBlock(cid)
    if (bytes === undefined) continue
    yield { cid, bytes }
    if (cid.code === dagPb.code) {
      const links = dagPb.decode(bytes).Links
      for (let i = links.length - 1; i >= 0; i--) stack.push(links[i].Hash)
    }
  }
}
