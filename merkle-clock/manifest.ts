/**
 * The database manifest: the block that defines a database. Its CID is the
 * database's address, so nothing in it can change without making a new database.
 *
 *   Manifest = {
 *     type: "rhizome/manifest"
 *     v: 1                  format version
 *     name: string
 *     writers: [bytes]      32-byte Ed25519 public keys, distinct, sorted by bytes
 *     open: bool            true: any key may write (asked for explicitly); false: only `writers`
 *     created: int          creation time, ms since the Unix epoch
 *     nonce: bytes          16 random bytes, so two databases made alike still differ
 *   }
 */
import { randomBytes } from 'node:crypto'
import type { CID } from 'multiformats/cid'
import { compareBytes, equalBytes } from '../quad-model/index.js'
import { decodeVerified, encodeBlock, type Block } from './block.js'
import { InvalidNodeError } from './errors.js'
import { parseWriterId, writerId } from './keys.js'

export const MANIFEST_TYPE = 'rhizome/manifest'
export const FORMAT_VERSION = 1

export interface Manifest {
  type: typeof MANIFEST_TYPE
  v: number
  name: string
  writers: Uint8Array[]
  open: boolean
  created: number
  nonce: Uint8Array
}

export interface ManifestInit {
  name?: string
  /** Writers as did:key strings or raw public keys. */
  writers: Array<string | Uint8Array>
  open?: boolean
  created?: number
}

export function createManifest (init: ManifestInit): Block<Manifest> {
  const keys = init.writers.map(w => typeof w === 'string' ? parseWriterId(w) : w)
  const distinct = new Map(keys.map(k => [writerId(k), k]))
  const manifest: Manifest = {
    type: MANIFEST_TYPE,
    v: FORMAT_VERSION,
    name: init.name ?? '',
    writers: [...distinct.values()].sort(compareBytes),
    open: init.open ?? false,
    created: init.created ?? Date.now(),
    nonce: new Uint8Array(randomBytes(16))
  }
  return encodeBlock(manifest)
}

/** Verifies and decodes a manifest block fetched by its address. */
export function decodeManifest (cid: CID, bytes: Uint8Array): Block<Manifest> {
  const block = decodeVerified(cid, bytes)
  const m = block.value as Partial<Manifest>
  if (m === null || typeof m !== 'object' || m.type !== MANIFEST_TYPE) throw new InvalidNodeError(cid, 'not a Rhizome manifest')
  if (m.v !== FORMAT_VERSION) throw new InvalidNodeError(cid, `manifest format version ${String(m.v)} is not supported`)
  if (typeof m.name !== 'string' || typeof m.open !== 'boolean' || !Number.isSafeInteger(m.created)) {
    throw new InvalidNodeError(cid, 'manifest fields have the wrong types')
  }
  if (!Array.isArray(m.writers) || !m.writers.every(w => w instanceof Uint8Array && w.length === 32)) {
    throw new InvalidNodeError(cid, 'manifest writers must be 32-byte keys')
  }
  return block as Block<Manifest>
}

/** Decides whether a public key may write to a database. */
export class WriterSet {
  // Keyed by the raw key's hex: checked for every node that arrives, so cheaper than a did:key.
  private readonly keys: Set<string>
  constructor (readonly manifest: Manifest) {
    this.keys = new Set(manifest.writers.map(k => Buffer.from(k).toString('hex')))
  }

  get open (): boolean { return this.manifest.open }

  allows (publicKey: Uint8Array): boolean {
    if (this.manifest.open) return true
    // Commits come in runs by one author: the last key allowed is compared before hex-encoding.
    const last = this.lastAllowed
    if (last !== undefined && equalBytes(last, publicKey)) return true
    if (!this.keys.has(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('hex'))) return false
    this.lastAllowed = publicKey.slice()
    return true
  }

  private lastAllowed: Uint8Array | undefined

  /** The writers as did:key strings. */
  list (): string[] {
    return this.manifest.writers.map(writerId)
  }
}
