/**
 * What replicas say to each other, byte for byte.
 *
 * Announcement (gossipsub, one topic per database): dag-cbor `{ v: 1, heads: [CID] }`, at most
 * MAX_ANNOUNCED_HEADS heads. It is a hint only: a replica that lacks a head asks for it with
 * catch-up, and verifies whatever comes back.
 *
 * Catch-up (`/rhizome/catchup/1.0.0`, one stream per round): every message is a frame, an
 * unsigned-varint length then that many bytes, never more than MAX_FRAME_BYTES.
 *   requester → responder: dag-cbor `{ v: 1, db: CID, have: [CID], manifest: bool, max: int }`
 *     `have`: commits the requester holds (its heads, then a sample of older ones; see
 *     catchup.ts), at most MAX_REQUEST_HAVE; `max`: most nodes to send in this round
 *   responder → requester: block frames, then one end frame.
 *     block frame  kind byte (FRAME_MANIFEST | FRAME_NODE | FRAME_PAYLOAD | FRAME_FILE),
 *                  CID length byte, CID bytes, block bytes
 *     end frame    FRAME_END, then dag-cbor `{ sent: int, more: bool }`
 * Blocks come in causal order: the manifest first when asked for, then each missing commit
 * node (ascending height) followed by its payload blocks and the file blocks its quads name.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { MAX_BLOCK_BYTES } from '../quad-model/index.js'
import { isCid } from '../merkle-clock/index.js'
import { ProtocolError } from './errors.js'

export const CATCHUP_PROTOCOL = '/rhizome/catchup/1.0.0'
/** A block and its framing: kind, CID length and a CID fit in 128 bytes. */
export const MAX_FRAME_BYTES = MAX_BLOCK_BYTES + 128
export const MAX_ANNOUNCED_HEADS = 256
export const MAX_REQUEST_HAVE = 4096
export const MAX_ANNOUNCEMENT_BYTES = 64 * 1024

export const FRAME_END = 0
export const FRAME_MANIFEST = 1
export const FRAME_NODE = 2
export const FRAME_PAYLOAD = 3
export const FRAME_FILE = 4
export type BlockKind = typeof FRAME_MANIFEST | typeof FRAME_NODE | typeof FRAME_PAYLOAD | typeof FRAME_FILE

/** The gossipsub topic of a database. */
export function topicOf (address: string): string {
  return `/rhizome/db/1/${address}`
}

export function encodeAnnouncement (heads: CID[]): Uint8Array {
  return dagCbor.encode({ v: 1, heads: heads.slice(0, MAX_ANNOUNCED_HEADS) })
}

/** The heads of an announcement; throws ProtocolError on anything malformed. */
export function decodeAnnouncement (bytes: Uint8Array): CID[] {
  if (bytes.length > MAX_ANNOUNCEMENT_BYTES) throw new ProtocolError('announcement too large')
  let value: { v?: unknown, heads?: unknown }
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    throw new ProtocolError('announcement is not dag-cbor', { cause: err })
  }
  if (value === null || typeof value !== 'object' || value.v !== 1) throw new ProtocolError('announcement version')
  const heads = value.heads
  if (!Array.isArray(heads) || heads.length > MAX_ANNOUNCED_HEADS || !heads.every(isCid)) throw new ProtocolError('announcement heads')
  return heads
}

export interface CatchupRequest {
  db: CID
  /** Commits the requester holds: with each, all its ancestors. */
  have: CID[]
  manifest: boolean
  max: number
}

export function encodeRequest (request: CatchupRequest): Uint8Array {
  return dagCbor.encode({ v: 1, db: request.db, have: request.have.slice(0, MAX_REQUEST_HAVE), manifest: request.manifest, max: request.max })
}

export function decodeRequest (bytes: Uint8Array): CatchupRequest {
  let value: Partial<CatchupRequest> & { v?: unknown }
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    throw new ProtocolError('request is not dag-cbor', { cause: err })
  }
  if (value === null || typeof value !== 'object' || value.v !== 1) throw new ProtocolError('request version')
  if (!isCid(value.db)) throw new ProtocolError('request db')
  if (!Array.isArray(value.have) || value.have.length > MAX_REQUEST_HAVE || !value.have.every(isCid)) throw new ProtocolError('request have')
  if (typeof value.manifest !== 'boolean' || !Number.isSafeInteger(value.max) || (value.max as number) < 0) throw new ProtocolError('request fields')
  return { db: value.db, have: value.have, manifest: value.manifest, max: value.max as number }
}

export function encodeBlockFrame (kind: BlockKind, cid: CID, bytes: Uint8Array): Uint8Array {
  const cidBytes = cid.bytes
  const frame = new Uint8Array(2 + cidBytes.length + bytes.length)
  frame[0] = kind
  frame[1] = cidBytes.length
  frame.set(cidBytes, 2)
  frame.set(bytes, 2 + cidBytes.length)
  return frame
}

export function encodeEndFrame (end: { sent: number, more: boolean }): Uint8Array {
  const body = dagCbor.encode(end)
  const frame = new Uint8Array(1 + body.length)
  frame[0] = FRAME_END
  frame.set(body, 1)
  return frame
}

export type Frame =
  | { kind: BlockKind, cid: CID, bytes: Uint8Array }
  | { kind: typeof FRAME_END, sent: number, more: boolean }

/** Parses one frame. The bytes are not checked against the CID here: the core does that. */
export function decodeFrame (frame: Uint8Array): Frame {
  if (frame.length === 0) throw new ProtocolError('empty frame')
  const kind = frame[0]
  if (kind === FRAME_END) {
    let end: { sent?: unknown, more?: unknown }
    try {
      end = dagCbor.decode(frame.subarray(1))
    } catch (err) {
      throw new ProtocolError('end frame is not dag-cbor', { cause: err })
    }
    if (end === null || typeof end !== 'object' || !Number.isSafeInteger(end.sent) || typeof end.more !== 'boolean') throw new ProtocolError('end frame fields')
    return { kind, sent: end.sent as number, more: end.more }
  }
  if (kind !== FRAME_MANIFEST && kind !== FRAME_NODE && kind !== FRAME_PAYLOAD && kind !== FRAME_FILE) throw new ProtocolError(`unknown frame kind ${kind}`)
  const cidLength = frame[1]
  if (frame.length < 2 + cidLength) throw new ProtocolError('truncated frame')
  let cid: CID
  try {
    cid = CID.decode(frame.subarray(2, 2 + cidLength))
  } catch (err) {
    throw new ProtocolError('frame CID does not decode', { cause: err })
  }
  const bytes = frame.subarray(2 + cidLength)
  if (bytes.length > MAX_BLOCK_BYTES) throw new ProtocolError(`block of ${bytes.length} bytes exceeds the block limit`)
  return { kind, cid, bytes }
}
