/**
 * The staging area of the bitswap fallback: blocks fetched over bitswap for heads
 * announced through relays are held here, in memory, until the core has verified the
 * commits they make up (hash, shape, database, writer, signature, parents, height); only
 * then does the merge put them into the block store. A block that fails is dropped with
 * the rest of the staging area, so nothing unverified is ever kept.
 *
 * Blocks are asked of Helia's bitswap block broker directly, not through Helia's
 * networked blockstore, which would store each block the moment it arrived. Bitswap does
 * not say who served a block in its answer, but it reports it in its progress events
 * ('bitswap:block' carries the sender), so each staged block remembers its sender, and
 * a verification failure names the peer to penalize (or, when no sender is known, the
 * caller penalizes the announcer).
 *
 * Invariant: the bytes staged never pass `limit` (StagingFullError first); every staged
 * block hashes to its CID with sha2-256 and fits the block limit.
 * Cost: at most `limit` bytes per fallback running (one per database at a time).
 */
import type { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { equalBytes, MAX_BLOCK_BYTES } from '../quad-model/index.js'
import { HashMismatchError, sha256Of } from '../merkle-clock/index.js'
import { ProtocolError, StagingFullError } from './errors.js'

/** Default staging budget of one fallback, bytes. */
export const STAGING_BYTES = 64 * 1024 * 1024

/** What the staging area needs of bitswap: a block by CID, reporting progress events. */
export type RetrieveBlock = (cid: CID, options: { signal?: AbortSignal, onProgress?: (event: { type: string, detail?: unknown }) => void }) => Promise<Uint8Array>

interface BlockBroker { name: string, retrieve?: RetrieveBlock }

/** Helia's bitswap broker's `retrieve` (it fetches without storing), or undefined when bitswap is not running. */
export function bitswapRetriever (helia: unknown): RetrieveBlock | undefined {
  const brokers = (helia as { blockBrokers?: BlockBroker[] }).blockBrokers ?? []
  const broker = brokers.find(b => b.name === 'bitswap')
  return broker?.retrieve === undefined ? undefined : async (cid, options) => await (broker.retrieve as RetrieveBlock).call(broker, cid, options)
}

interface Staged { bytes: Uint8Array }

export class BitswapStaging {
  private readonly staged = new Map<string, Staged>()
  /** Who sent each block fetched, kept also for blocks that failed their checks. */
  private readonly senders = new Map<string, string>()
  private size = 0

  constructor (private readonly retrieve: RetrieveBlock, private readonly limit = STAGING_BYTES) {}

  /** Bytes staged now. */
  get bytes (): number { return this.size }

  /** A staged block, if fetched. */
  get (cid: CID): Uint8Array | undefined {
    return this.staged.get(cid.toString())?.bytes
  }

  /** Who served a block fetched (a peer ID), if bitswap said, whether or not it passed. */
  senderOf (cid: CID | undefined): string | undefined {
    return cid === undefined ? undefined : this.senders.get(cid.toString())
  }

  /** Fetches a block over bitswap into the staging area, checked against its CID, or throws. */
  async fetch (cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
    const key = cid.toString()
    const held = this.staged.get(key)
    if (held !== undefined) return held.bytes
    let from: string | undefined
    const bytes = await this.retrieve(cid, {
      signal,
      onProgress: event => {
        if (event.type === 'bitswap:block') from = String((event.detail as { sender?: unknown })?.sender ?? '') || undefined
      }
    })
    if (from !== undefined) this.senders.set(key, from)
    // Bitswap hashes what it receives, but Rhizome checks for itself: the codec is not in the hash.
    if (bytes.length > MAX_BLOCK_BYTES) throw new ProtocolError(`block ${cid} from bitswap exceeds the block limit`)
    if (cid.multihash.code !== sha256.code) throw new ProtocolError(`block ${cid} is not hashed with sha2-256`)
    if (!equalBytes(sha256Of(bytes), cid.multihash.digest)) throw new HashMismatchError(cid)
    if (this.size + bytes.length > this.limit) throw new StagingFullError(this.limit)
    this.size += bytes.length
    this.staged.set(key, { bytes })
    return bytes
  }

  /** Drops everything staged. */
  clear (): void {
    this.staged.clear()
    this.senders.clear()
    this.size = 0
  }
}
