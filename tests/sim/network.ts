/**
 * The simulation's network: a seeded, in-memory one, on a virtual clock.
 *
 * Messages (head announcements) wait in one queue ordered by delivery time, then by
 * when they were sent; each send may be dropped, duplicated or delayed (so messages
 * overtake each other), and nothing crosses a partition. Block fetches, which a merge
 * makes while it runs, are answered at once from the peer's store or not at all: a
 * lost request or response, a peer that is down or on the other side of a partition.
 * Every choice comes from one PRNG, so a seed is one schedule, replayed exactly.
 */
import type { CID } from 'multiformats/cid'
import type { BlockFetcher } from '../../index.js'
import { prng } from '../crash/workload.mjs'

export interface Faults {
  /** Chance a message is lost. */
  drop: number
  /** Chance a message is delivered twice. */
  duplicate: number
  /** A message arrives 1..maxDelay ticks after it was sent. */
  maxDelay: number
  /** Chance one block fetch fails (a lost request, response or timeout). */
  fetchFail: number
}

export const RELIABLE: Faults = { drop: 0, duplicate: 0, maxDelay: 1, fetchFail: 0 }

export interface Announce {
  kind: 'announce'
  from: number
  to: number
  heads: CID[]
}

interface Queued<E> { at: number, order: number, event: E }

/** The queue of what happens next, by virtual time. */
export class Schedule<E> {
  now = 0
  private order = 0
  private readonly queue: Array<Queued<E>> = []

  at (time: number, event: E): void {
    const item = { at: Math.max(time, this.now), order: this.order++, event }
    // Binary search for the first later item: equal times keep their order of scheduling.
    let low = 0
    let high = this.queue.length
    while (low < high) {
      const mid = (low + high) >> 1
      const q = this.queue[mid]
      if (q.at < item.at || (q.at === item.at && q.order < item.order)) low = mid + 1
      else high = mid
    }
    this.queue.splice(low, 0, item)
  }

  next (): E | undefined {
    const item = this.queue.shift()
    if (item === undefined) return undefined
    this.now = item.at
    return item.event
  }

  /** Everything due at the next time, in the order it was scheduled. */
  nextBatch (): E[] {
    const first = this.queue[0]
    if (first === undefined) return []
    this.now = first.at
    let n = 0
    while (n < this.queue.length && this.queue[n].at === first.at) n++
    return this.queue.splice(0, n).map(q => q.event)
  }

  get size (): number {
    return this.queue.length
  }
}

/** What the network needs of a replica: whether it is up, and its blocks. */
export interface Peer {
  readonly up: boolean
  blocks: () => BlockFetcher | undefined
}

export class SimNetwork<E> {
  readonly random: () => number
  faults: Faults
  /** Each replica's side of the current partition (all 0 when there is none). */
  private side: number[]
  readonly counts = { sent: 0, dropped: 0, duplicated: 0, fetches: 0, fetchesFailed: 0 }

  constructor (seed: number, readonly peers: Peer[], faults: Faults, private readonly schedule: Schedule<E | Announce>) {
    this.random = prng(seed)
    this.faults = faults
    this.side = peers.map(() => 0)
  }

  /** Splits the replicas in two (each side non-empty) until `heal`. */
  partition (): number[] {
    const n = this.peers.length
    const cut = 1 + Math.floor(this.random() * (n - 1))
    const order = this.shuffled(n)
    this.side = this.peers.map((_, i) => order.indexOf(i) < cut ? 1 : 0)
    return order.slice(0, cut)
  }

  heal (): void {
    this.side = this.peers.map(() => 0)
  }

  reachable (a: number, b: number): boolean {
    return this.side[a] === this.side[b] && this.peers[a].up && this.peers[b].up
  }

  /** Sends heads from one replica to another, through the faults. */
  announce (from: number, to: number, heads: CID[]): void {
    this.counts.sent++
    if (!this.reachable(from, to) || this.random() < this.faults.drop) {
      this.counts.dropped++
      return
    }
    const copies = this.random() < this.faults.duplicate ? 2 : 1
    if (copies === 2) this.counts.duplicated++
    for (let c = 0; c < copies; c++) {
      const delay = 1 + Math.floor(this.random() * this.faults.maxDelay)
      this.schedule.at(this.schedule.now + delay, { kind: 'announce', from, to, heads })
    }
  }

  /** `to`'s blocks as `from` fetches them: each get may fail, and none crosses a partition or reaches a peer that is down. */
  fetcher (from: number, to: number): BlockFetcher {
    return {
      get: async (cid: CID) => {
        this.counts.fetches++
        const blocks = this.peers[to].blocks()
        if (blocks === undefined || !this.reachable(from, to) || this.random() < this.faults.fetchFail) {
          this.counts.fetchesFailed++
          return undefined
        }
        return await blocks.get(cid)
      }
    }
  }

  /** A seeded permutation of 0..n-1. */
  shuffled (n: number): number[] {
    const order = Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    return order
  }
}
