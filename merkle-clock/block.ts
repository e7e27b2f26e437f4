/**
 * Blocks: every block Rhizome writes is CIDv1, dag-cbor, sha2-256, at most
 * MAX_BLOCK_BYTES long. Reading a block from anywhere untrusted goes through
 * `decodeVerified`, which checks size and hash before decoding anything.
 */
import { hash } from 'node:crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { compareBytes, equalBytes, MAX_BLOCK_BYTES } from '../quad-model/index.js'
import { BlockTooLargeError, HashMismatchError, InvalidNodeError } from './errors.js'

export interface Block<T = unknown> {
  cid: CID
  bytes: Uint8Array
  value: T
}

/**
 * SHA-256 by Node's one-shot `crypto.hash`: for a block of a few hundred bytes, a
 * small commit's node, it costs under half of multiformats' hasher (which makes a
 * Hash object each time).
 */
export function sha256Of (bytes: Uint8Array): Uint8Array {
  const digest = hash('sha256', bytes, 'buffer')
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

export function cidOf (bytes: Uint8Array): CID {
  return CID.createV1(dagCbor.code, Digest.create(sha256.code, sha256Of(bytes)))
}

export function encodeBlock<T> (value: T): Block<T> {
  const bytes = dagCbor.encode(value)
  if (bytes.length > MAX_BLOCK_BYTES) throw new BlockTooLargeError(undefined, bytes.length, MAX_BLOCK_BYTES)
  return { cid: cidOf(bytes), bytes, value }
}

/** Checks size, codec and hash of untrusted bytes for `cid`, then decodes them. */
export function decodeVerified (cid: CID, bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_BYTES) throw new BlockTooLargeError(cid, bytes.length, MAX_BLOCK_BYTES)
  if (cid.version !== 1 || cid.code !== dagCbor.code || cid.multihash.code !== sha256.code) {
    throw new InvalidNodeError(cid, 'not a CIDv1 dag-cbor sha2-256 block')
  }
  if (!equalBytes(sha256Of(bytes), cid.multihash.digest)) throw new HashMismatchError(cid)
  let value: unknown
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    throw new InvalidNodeError(cid, `malformed CBOR: ${(err as Error).message}`, { cause: err })
  }
  return { cid, bytes, value }
}

export function isCid (value: unknown): value is CID {
  return CID.asCID(value) !== null
}

export function compareCids (a: CID, b: CID): number {
  return compareBytes(a.bytes, b.bytes)
}

/**
 * A map key for a CID, cheaper than its string form (base32 of a fresh CID costs more
 * than a small commit's other bookkeeping): its bytes, one character per byte.
 */
export function cidKey (cid: CID): string {
  const bytes = cid.bytes
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}
