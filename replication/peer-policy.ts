/**
 * What a replicator holds against its peers: blocks (a peer hung up and refused for a
 * while), strikes (three make a block, unless `blockFor` passes with none) and a token
 * bucket per announcing peer. It decides only; the replicator carries decisions out
 * (hangs up, reports 'peer:penalized').
 *
 * Block: anything a catch-up stream carries that fails verification or the protocol, and
 * a sustained flood of announcements. Strike: announcing heads the peer then does not
 * serve, and malformed announcements. Honest peers are never penalized for being slow or
 * gone. Cost: a few numbers per peer recently seen. What no longer matters is swept away
 * every SWEEP_EVERY announcements: a bucket refilled to the brim (the same as none), a
 * block that expired, strikes older than a block lasts; so the maps hold only the peers
 * of the last few seconds (blocks and strikes: of the last `blockFor`).
 */
import { RhizomeError } from '../quad-model/index.js'

export interface PeerPolicyOptions {
  /** How long a block lasts, ms. */
  blockFor: number
  /** Announcements per second a peer may send on average; bursts of five times that. */
  announcementRate: number
  /** Gossipsub messages per second a directly connected peer may send, relayed ones included; bursts of five times that. Default 10 × announcementRate. */
  relayRate?: number
}

const SEVERE_CODES = new Set([
  'ERR_PROTOCOL', 'ERR_HASH_MISMATCH', 'ERR_BAD_SIGNATURE', 'ERR_FOREIGN_WRITER', 'ERR_WRONG_DATABASE',
  'ERR_INVALID_NODE', 'ERR_MISSING_BLOCK', 'ERR_BLOCK_TOO_LARGE', 'ERR_MALFORMED_BLOCK'
])

/** True for errors only a misbehaving peer causes (not a dropped connection or an abort). */
export function isMisbehaviour (err: unknown): boolean {
  if (err instanceof RhizomeError) return SEVERE_CODES.has(err.code)
  const name = (err as Error)?.name
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' || name === 'InvalidMessageLengthError'
}

export const STRIKES_TO_BLOCK = 3
const SWEEP_EVERY = 1024

export class PeerPolicy {
  private readonly blocked = new Map<string, number>()
  private readonly strikes = new Map<string, { count: number, at: number }>()
  private readonly buckets = new Map<string, { tokens: number, at: number, overflow: number }>()
  private readonly relays = new Map<string, { tokens: number, at: number }>()
  private untilSweep = SWEEP_EVERY

  constructor (private readonly options: PeerPolicyOptions, private readonly onBlock: (peer: string, reason: string, until: number) => void) {}

  isBlocked (peer: string): boolean {
    const until = this.blocked.get(peer)
    if (until === undefined) return false
    if (until > Date.now()) return true
    this.blocked.delete(peer)
    return false
  }

  block (peer: string, reason: string, ms = this.options.blockFor): void {
    const until = Date.now() + ms
    this.blocked.set(peer, until)
    this.strikes.delete(peer)
    this.buckets.delete(peer)
    this.relays.delete(peer)
    this.onBlock(peer, reason, until)
  }

  unblock (peer: string): void {
    this.blocked.delete(peer)
    this.strikes.delete(peer)
  }

  strike (peer: string, reason: string, now = Date.now()): void {
    const strikes = { count: (this.strikes.get(peer)?.count ?? 0) + 1, at: now }
    this.strikes.set(peer, strikes)
    if (strikes.count >= STRIKES_TO_BLOCK) this.block(peer, reason)
  }

  /** Peers about which something is held (for tests and metrics). */
  get tracked (): number {
    return new Set([...this.blocked.keys(), ...this.strikes.keys(), ...this.buckets.keys(), ...this.relays.keys()]).size
  }

  /** Forgets what no longer matters (see the module header). */
  sweep (now = Date.now()): void {
    const burst = this.options.announcementRate * 5
    for (const [peer, b] of this.buckets) if (b.tokens + (now - b.at) * this.options.announcementRate / 1000 >= burst) this.buckets.delete(peer)
    const relayRate = this.relayRate
    for (const [peer, b] of this.relays) if (b.tokens + (now - b.at) * relayRate / 1000 >= relayRate * 5) this.relays.delete(peer)
    for (const [peer, until] of this.blocked) if (until <= now) this.blocked.delete(peer)
    for (const [peer, s] of this.strikes) if (now - s.at >= this.options.blockFor) this.strikes.delete(peer)
  }

  private get relayRate (): number { return this.options.relayRate ?? this.options.announcementRate * 10 }

  /**
   * Whether `count` gossipsub messages that `peer` (a direct connection) sent may be looked
   * at now (a token bucket acting before gossipsub verifies or queues anything). Refusing
   * costs the peer nothing more: a relay may be forwarding someone else's flood, and the
   * originator's own limit (admitAnnouncement) is what blocks.
   */
  admitRelayed (peer: string, count: number, now = Date.now()): boolean {
    const rate = this.relayRate
    const bucket = this.relays.get(peer) ?? { tokens: rate * 5, at: now }
    bucket.tokens = Math.min(rate * 5, bucket.tokens + (now - bucket.at) * rate / 1000)
    bucket.at = now
    this.relays.set(peer, bucket)
    if (bucket.tokens < count) return false
    bucket.tokens -= count
    return true
  }

  /**
   * Whether an announcement from `peer` may be acted on now (token bucket). A peer that
   * keeps sending over the limit, a burst's worth of refusals more than acceptances, is
   * blocked as a flooder.
   */
  admitAnnouncement (peer: string, now = Date.now()): boolean {
    if (--this.untilSweep <= 0) {
      this.untilSweep = SWEEP_EVERY
      this.sweep(now)
    }
    const rate = this.options.announcementRate
    const bucket = this.buckets.get(peer) ?? { tokens: rate * 5, at: now, overflow: 0 }
    bucket.tokens = Math.min(rate * 5, bucket.tokens + (now - bucket.at) * rate / 1000)
    bucket.at = now
    this.buckets.set(peer, bucket)
    if (bucket.tokens < 1) {
      if (++bucket.overflow >= rate * 5) this.block(peer, 'flooded the topic with announcements')
      return false
    }
    bucket.tokens--
    bucket.overflow = Math.max(0, bucket.overflow - 1)
    return true
  }
}
