/**
 * The serving memory budget: what answering catch-up requests may hold at once, in total
 * and per peer. Each stream served reserves `streamBytes` before any work is done for it
 * (the responder's walk caches blocks up to the reservation less SEND_BUFFER_BYTES, and the
 * rest covers what waits in the stream's send buffer); a request that would pass the
 * total or its peer's share is refused at once with ServeBusyError (ERR_SERVE_BUSY), which
 * costs the requester nothing but a retry at its next announcement.
 *
 * Readers that stall are cut by the responder (catchup.ts): no progress for `stallTimeout`
 * ms, or less than `minReadRate` bytes a second on average after the first stall
 * deadline, ends the stream with SlowReaderError (ERR_SLOW_READER), and the replicator
 * strikes the peer (three strikes block it, peer-policy.ts).
 *
 * Invariant: the bytes reserved never pass `totalBytes`, nor one peer's `peerBytes`.
 * Cost: two numbers per peer being served.
 */
import { ServeBusyError } from './errors.js'

export interface ServeBudgetOptions {
  /** Bytes all catch-up streams served may hold together. Default 128 MiB. */
  totalBytes?: number
  /** Bytes one peer's streams may hold together. Default 16 MiB. */
  peerBytes?: number
  /** Bytes one stream reserves. Default 4 MiB. */
  streamBytes?: number
}

/** What a stream's send buffer may hold on top of the walk's cache (one write chunk and the transport's window). */
export const SEND_BUFFER_BYTES = 1024 * 1024

export const SERVE_BUDGET_DEFAULTS = { totalBytes: 128 * 1024 * 1024, peerBytes: 16 * 1024 * 1024, streamBytes: 4 * 1024 * 1024 }

/** Longest a served stream may go without progress, ms. */
export const STALL_TIMEOUT = 5_000
/** Least average rate a reader must take a served stream at, bytes a second, once past the first stall deadline. */
export const MIN_READ_RATE = 64 * 1024

export interface ServeLease {
  /** Bytes this stream may hold. */
  readonly bytes: number
  release: () => void
}

export class ServeBudget {
  private readonly limits: Required<ServeBudgetOptions>
  private used = 0
  private readonly byPeer = new Map<string, number>()

  constructor (options: ServeBudgetOptions = {}) {
    this.limits = { ...SERVE_BUDGET_DEFAULTS, ...options }
  }

  /** Bytes reserved now, in total. */
  get reserved (): number { return this.used }

  /** Bytes reserved now by one peer. */
  reservedBy (peer: string): number { return this.byPeer.get(peer) ?? 0 }

  /** Reserves a stream's share for `peer`, or throws ServeBusyError. */
  reserve (peer: string): ServeLease {
    const bytes = this.limits.streamBytes
    const mine = this.byPeer.get(peer) ?? 0
    if (mine + bytes > this.limits.peerBytes) throw new ServeBusyError(peer, 'peer')
    if (this.used + bytes > this.limits.totalBytes) throw new ServeBusyError(peer, 'total')
    this.used += bytes
    this.byPeer.set(peer, mine + bytes)
    let released = false
    return {
      bytes,
      release: () => {
        if (released) return
        released = true
        this.used -= bytes
        const left = (this.byPeer.get(peer) ?? bytes) - bytes
        if (left <= 0) this.byPeer.delete(peer)
        else this.byPeer.set(peer, left)
      }
    }
  }
}
