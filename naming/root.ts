/**
 * The root block a name's record points at: DAG-CBOR `{ database, heads }` (the database's
 * address, its manifest CID, and its heads when the record was made). A replica opens the
 * database at the address, catches up to at least those heads, then follows it live.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equals } from 'uint8arrays'

export interface NameRoot {
  /** The database's address (its manifest's CID). */
  database: CID
  /** The heads at publish time. */
  heads: CID[]
}

/** Most heads a root may name (concurrent writers at one moment; a database has far fewer). */
export const MAX_ROOT_HEADS = 1024
/** Largest root block read. */
export const MAX_ROOT_BYTES = 64 * 1024

export async function encodeRoot (root: NameRoot): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = dagCbor.encode({ database: root.database, heads: root.heads })
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

/** The root in `bytes` (already checked against `cid` by whoever fetched it), or a reason it is not one. */
export async function decodeRoot (cid: CID, bytes: Uint8Array): Promise<NameRoot | string> {
  if (cid.code !== dagCbor.code) return `the block ${cid} is not DAG-CBOR`
  if (bytes.length > MAX_ROOT_BYTES) return `the block ${cid} is ${bytes.length} bytes, more than ${MAX_ROOT_BYTES}`
  const digest = await sha256.digest(bytes)
  if (cid.multihash.code !== sha256.code || !equals(cid.multihash.digest, digest.digest)) return `the block does not hash to ${cid}`
  let value: unknown
  try {
    value = dagCbor.decode(bytes)
  } catch (err) {
    return `the block ${cid} does not decode (${(err as Error).message})`
  }
  const root = value as Partial<NameRoot> | null
  if (root === null || typeof root !== 'object' || !(CID.asCID(root.database) instanceof CID)) return `the block ${cid} names no database`
  if (!Array.isArray(root.heads) || root.heads.length > MAX_ROOT_HEADS || !root.heads.every(h => CID.asCID(h) instanceof CID)) return `the block ${cid} has no list of head CIDs`
  return { database: CID.asCID(root.database)!, heads: root.heads.map(h => CID.asCID(h)!) }
}
