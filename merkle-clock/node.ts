/**
 * Commit nodes of the Merkle clock.
 *
 *   Node = {
 *     v: 1                 format version
 *     db: CID              the database address (manifest CID): a node cannot be replayed elsewhere
 *     parents: [CID]       the heads its writer saw, distinct, sorted by bytes, at most MAX_PARENTS
 *     height: int          1 + the highest parent height (1 for a node without parents)
 *     author: bytes        the writer's 32-byte Ed25519 public key
 *     time: int            wall-clock ms at the writer, for display only: never used for ordering
 *     delta: DeltaChunk    the whole delta, when it fits in one chunk of at most INLINE_BYTES
 *   | payload: [CID]       otherwise the delta's chunks, in order, each its own block
 *     files?: [CID]        the files (UnixFS roots named by `ipfs://CID` IRIs, dag-pb or raw)
 *                          that the delta's added quads name, distinct, sorted by bytes, at
 *                          most MAX_FILE_LINKS; absent when none. Real IPLD links, so that a
 *                          generic traversal (a stock IPFS node pinning a head) fetches a
 *                          database's files with it; replicas find them in the term tables.
 *     sig: bytes           Ed25519 signature by `author` over the dag-cbor encoding of
 *                          this map without `sig`
 *   }
 *
 * The signature covers the payload links, and each link covers its block's bytes,
 * so one signature authenticates the whole commit however many blocks it spans.
 */
import { CID } from 'multiformats/cid'
import * as dagCbor from '@ipld/dag-cbor'
import { assertDeltaChunk, CborWriter, encodeChunk, MalformedBlockError, MAX_BLOCK_BYTES, type DeltaChunk } from '../quad-model/index.js'
import { cidOf, compareCids, decodeVerified, encodeBlock, isCid, type Block } from './block.js'
import { BadSignatureError, BlockTooLargeError, InvalidNodeError, WrongDatabaseError, ForeignWriterError } from './errors.js'
import { verifySignature, writerId, type Signer } from './keys.js'
import { FORMAT_VERSION, type WriterSet } from './manifest.js'

export const MAX_PARENTS = 1024
/** A delta chunk this small is embedded in its node; larger deltas get blocks of their own. */
export const INLINE_BYTES = 256 * 1024
/** Most file links one node carries (a write naming more links the first, by CID bytes). */
export const MAX_FILE_LINKS = 4096
const FILE_IRI_PREFIX = 'ipfs://'

/** The CID an `ipfs://` IRI names when it names a file (dag-pb or raw, sha2-256); else undefined. */
export function fileIriCid (iri: string): CID | undefined {
  if (!iri.startsWith(FILE_IRI_PREFIX)) return undefined
  try {
    const cid = CID.parse(iri.slice(FILE_IRI_PREFIX.length))
    return isFileCid(cid) ? cid : undefined
  } catch {
    return undefined
  }
}

/** Whether a CID can name a file: a UnixFS block, dag-pb or raw, sha2-256. */
function isFileCid (cid: CID): boolean {
  return (cid.version === 0 || cid.version === 1) && (cid.code === DAG_PB || cid.code === RAW) && cid.multihash.code === SHA2_256
}

const DAG_PB = 0x70
const RAW = 0x55
const SHA2_256 = 0x12

/** The files that a delta's added quads name, distinct, sorted by bytes, at most MAX_FILE_LINKS. */
export function fileLinks (chunks: readonly DeltaChunk[]): CID[] {
  const found = new Map<string, CID>()
  for (const chunk of chunks) {
    // Terms that name files are few (most chunks have none): find them first, then
    // keep those that some addition uses, in one pass over the additions.
    const named = new Map<number, CID>()
    chunk.t.forEach((term, i) => {
      const cid = fileIriCid(term)
      if (cid !== undefined) named.set(i, cid)
    })
    if (named.size === 0) continue
    for (const i of chunk.a) {
      const cid = named.get(i)
      if (cid !== undefined) found.set(cid.toString(), cid)
    }
  }
  return [...found.values()].sort(compareCids).slice(0, MAX_FILE_LINKS)
}

export interface ClockNode {
  v: number
  db: CID
  parents: CID[]
  height: number
  author: Uint8Array
  time: number
  delta?: DeltaChunk
  payload?: CID[]
  files?: CID[]
  sig: Uint8Array
}

export interface Commit {
  node: Block<ClockNode>
  /** Payload blocks, when the delta did not fit inline. */
  payloads: Array<Block<DeltaChunk>>
  /** The delta's chunks, inline or not, in order. */
  chunks: DeltaChunk[]
}

export interface CreateCommitOptions {
  db: CID
  parents: Array<{ cid: CID, height: number }>
  chunks: DeltaChunk[]
  signer: Signer
  time?: number
  /**
   * The chunks already encoded as blocks (one per chunk, in order), when whoever built
   * them had a spare core to do it: used as the payload blocks instead of encoding again.
   * Ignored when the delta fits inline.
   */
  encoded?: Array<Block<DeltaChunk>>
}

/** The commit of a node and its payload blocks (in the node's order): its chunks are inline or the payloads'. */
export function commitOf (node: Block<ClockNode>, payloads: Array<Block<DeltaChunk>>): Commit {
  return { node, payloads, chunks: node.value.delta !== undefined ? [node.value.delta] : payloads.map(p => p.value) }
}

/** Builds and signs a commit over a delta's chunks. */
export function createCommit (options: CreateCommitOptions): Commit {
  const parents = [...options.parents].sort((a, b) => compareCids(a.cid, b.cid))
  const height = 1 + parents.reduce((max, p) => Math.max(max, p.height), 0)
  const unsigned: Omit<ClockNode, 'sig'> = {
    v: FORMAT_VERSION,
    db: options.db,
    parents: parents.map(p => p.cid),
    height,
    author: options.signer.publicKey,
    time: options.time ?? Date.now()
  }
  let payloads: Array<Block<DeltaChunk>> = []
  const encoded = options.encoded
  if (encoded !== undefined && encoded.length !== options.chunks.length) throw new RangeError('one encoded block per chunk is needed')
  const single = options.chunks.length === 1 ? (encoded?.[0].bytes ?? encodeChunk(options.chunks[0])) : undefined
  if (options.chunks.length === 0) {
    unsigned.delta = { t: [], a: [], r: [], c: [] }
  } else if (single !== undefined && single.length <= INLINE_BYTES) {
    unsigned.delta = options.chunks[0]
  } else {
    payloads = encoded ?? options.chunks.map(chunk => encodeBlock(chunk))
    unsigned.payload = payloads.map(p => p.cid)
  }
  const files = fileLinks(options.chunks)
  if (files.length > 0) unsigned.files = files
  const delta = unsigned.delta === undefined ? undefined : single ?? encodeChunk(unsigned.delta)
  const sig = options.signer.sign(encodeNode(unsigned, delta))
  const bytes = encodeNode({ ...unsigned, sig }, delta)
  if (bytes.length > MAX_BLOCK_BYTES) throw new BlockTooLargeError(undefined, bytes.length, MAX_BLOCK_BYTES)
  const node: Block<ClockNode> = { cid: cidOf(bytes), bytes, value: { ...unsigned, sig } }
  return { node, payloads, chunks: options.chunks }
}

/**
 * A node's DAG-CBOR bytes, written directly: the very bytes @ipld/dag-cbor's `encode`
 * gives (merkle-clock tests hold them to it), in a fraction of its time, which matters
 * to a small commit. `delta` is the inline delta's encoding when the caller has it.
 */
export function encodeNode (node: Omit<ClockNode, 'sig'> & { sig?: Uint8Array }, delta?: Uint8Array): Uint8Array {
  if (node.delta !== undefined && delta === undefined) delta = encodeChunk(node.delta)
  if (node.delta === undefined) delta = undefined
  let size = 256 + node.author.length + (node.sig?.length ?? 0) + (delta?.length ?? 0)
  for (const c of [node.db, ...node.parents, ...(node.payload ?? []), ...(node.files ?? [])]) size += c.bytes.length + 8
  const w = new CborWriter(size)
  const cids = (list: CID[]): void => {
    w.head(4, list.length)
    for (const c of list) w.cid(c)
  }
  // Map keys in DAG-CBOR order, shorter first, then bytewise:
  // v, db, sig, time, delta, files, author, height, parents, payload.
  w.head(5, 6 + (node.sig !== undefined ? 1 : 0) + (delta !== undefined ? 1 : 0) + (node.files !== undefined ? 1 : 0) + (node.payload !== undefined ? 1 : 0))
  w.key('v'); w.head(0, node.v)
  w.key('db'); w.cid(node.db)
  if (node.sig !== undefined) { w.key('sig'); w.bytes(node.sig) }
  w.key('time'); w.head(0, node.time)
  if (delta !== undefined) { w.key('delta'); w.raw(delta) }
  if (node.files !== undefined) { w.key('files'); cids(node.files) }
  w.key('author'); w.bytes(node.author)
  w.key('height'); w.head(0, node.height)
  w.key('parents'); cids(node.parents)
  if (node.payload !== undefined) { w.key('payload'); cids(node.payload) }
  return w.done()
}

/**
 * Verifies what can be checked of a node from its own bytes: hash, shape, database,
 * writer and signature. The height is checked once its parents are known (see merge).
 */
export function verifyNode (cid: CID, bytes: Uint8Array, db: CID, writers: WriterSet): Block<ClockNode> {
  const block = verifyNodeContent(cid, bytes, db, writers)
  if (!signatureHolds(block.value)) throw new BadSignatureError(cid)
  return block
}

/**
 * Every check of `verifyNode` but the signature: hash, shape, database and writer. The
 * node is authentic only once its signature holds or a same-author node endorses it
 * (authenticate.ts); nothing may be applied before that.
 */
export function verifyNodeContent (cid: CID, bytes: Uint8Array, db: CID, writers: WriterSet): Block<ClockNode> {
  const block = decodeVerified(cid, bytes)
  const node = block.value as Partial<ClockNode>
  const bad = (reason: string): never => { throw new InvalidNodeError(cid, reason) }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) bad('not a map')
  if (node.v !== FORMAT_VERSION) bad(`format version ${String(node.v)} is not supported`)
  if (!isCid(node.db)) bad('db must be a CID')
  if (!Array.isArray(node.parents) || !node.parents.every(isCid)) bad('parents must be a list of CIDs')
  if (node.parents!.length > MAX_PARENTS) bad(`more than ${MAX_PARENTS} parents`)
  for (let i = 1; i < node.parents!.length; i++) {
    if (compareCids(node.parents![i - 1], node.parents![i]) >= 0) bad('parents are not sorted and distinct')
  }
  if (!Number.isSafeInteger(node.height) || node.height! < 1) bad('height must be a positive integer')
  if (node.parents!.length === 0 && node.height !== 1) bad('a node without parents has height 1')
  if (!(node.author instanceof Uint8Array) || node.author.length !== 32) bad('author must be a 32-byte key')
  if (!Number.isSafeInteger(node.time)) bad('time must be an integer')
  if (!(node.sig instanceof Uint8Array)) bad('sig must be bytes')
  if ((node.delta === undefined) === (node.payload === undefined)) bad('exactly one of delta and payload must be present')
  if (node.payload !== undefined && (!Array.isArray(node.payload) || node.payload.length === 0 || !node.payload.every(isCid))) {
    bad('payload must be a non-empty list of CIDs')
  }
  // Distinct links: a node may not make a replica fetch and verify one block many times.
  if (node.payload !== undefined && new Set(node.payload.map(String)).size !== node.payload.length) bad('payload links are not distinct')
  if (node.files !== undefined) {
    if (!Array.isArray(node.files) || node.files.length === 0 || node.files.length > MAX_FILE_LINKS) bad(`files must be a list of 1 to ${MAX_FILE_LINKS} CIDs`)
    for (let i = 0; i < node.files!.length; i++) {
      const file = node.files![i]
      if (!isCid(file) || !isFileCid(file)) bad('files must name dag-pb or raw sha2-256 blocks')
      if (i > 0 && compareCids(node.files![i - 1], file) >= 0) bad('files are not sorted and distinct')
    }
  }
  if (node.delta !== undefined) {
    try {
      assertDeltaChunk(node.delta, isCid)
    } catch (err) {
      if (err instanceof MalformedBlockError) throw new InvalidNodeError(cid, err.message, { cause: err })
      throw err
    }
  }
  for (const key in node) if (!ALLOWED_FIELDS.has(key)) bad('unknown fields')
  if (!node.db!.equals(db)) throw new WrongDatabaseError(cid, db, node.db!)
  if (!writers.allows(node.author!)) throw new ForeignWriterError(cid, writerId(node.author!))
  return block as Block<ClockNode>
}

const ALLOWED_FIELDS = new Set(['v', 'db', 'parents', 'height', 'author', 'time', 'delta', 'payload', 'files', 'sig'])

/** True when a node's own signature is its author's over the node without `sig` (the shape already checked). */
export function signatureHolds (node: ClockNode): boolean {
  const { sig, ...unsigned } = node
  return verifySignature(node.author, dagCbor.encode(unsigned), sig)
}

/** Verifies one payload block of a node. */
export function verifyPayload (cid: CID, bytes: Uint8Array): Block<DeltaChunk> {
  const block = decodeVerified(cid, bytes)
  try {
    assertDeltaChunk(block.value, isCid)
  } catch (err) {
    if (err instanceof MalformedBlockError) throw new InvalidNodeError(cid, err.message, { cause: err })
    throw err
  }
  return block as Block<DeltaChunk>
}
