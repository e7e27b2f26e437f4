/**
 * The announcement inbox: where announcements wait between gossipsub and the work they
 * cause (head lookups in the store, pulls). Two limits act before anything is queued:
 *
 * - `gateRpc` drops the messages of a gossipsub RPC before gossipsub verifies their
 *   signatures or queues anything, once the peer that sent them (the propagation source,
 *   whose identity the connection proves) passes its message rate, or is blocked;
 * - the topic validator (replicator.ts) rate-limits each originator by its verified key
 *   (peer-policy.ts) and only then offers the announcement here.
 *
 * The inbox keeps one entry per announcing peer: the newest heads it announced (an
 * announcement lists all of a peer's heads, so a newer one supersedes an older one), at
 * most `maxHeads` of them, and at most `maxPeers` entries (a new peer past that is
 * dropped; it announces again). Entries are taken in arrival order, one peer at a time,
 * so a flooder has at most one entry waiting, and an honest peer's announcement waits
 * for at most one turn of each other peer, whatever the flood.
 *
 * Invariant: memory is bounded by maxPeers × maxHeads CIDs; a handler runs for one entry
 * at a time. Cost: an announcement superseded while it waited is never looked at.
 */
import type { CID } from 'multiformats/cid'

export interface InboxOptions {
  /** Most peers with an announcement waiting. Default 1,024. */
  maxPeers?: number
  /** Most heads kept of one announcement. Default 256 (MAX_ANNOUNCED_HEADS). */
  maxHeads?: number
}

export class AnnouncementInbox<From> {
  private readonly waiting = new Map<string, { from: From, heads: CID[] }>()
  private running = false
  private readonly maxPeers: number
  private readonly maxHeads: number
  /** Announcements dropped because the inbox was full (for tests and metrics). */
  dropped = 0

  constructor (private readonly handle: (from: From, heads: CID[]) => Promise<void>, options: InboxOptions = {}) {
    this.maxPeers = options.maxPeers ?? 1024
    this.maxHeads = options.maxHeads ?? 256
  }

  /** Entries waiting now. */
  get size (): number { return this.waiting.size }

  /** Queues `heads` as `key`'s newest announcement; false when the inbox is full. */
  offer (key: string, from: From, heads: CID[]): boolean {
    const entry = this.waiting.get(key)
    if (entry === undefined && this.waiting.size >= this.maxPeers) {
      this.dropped++
      return false
    }
    // replacing a value keeps the key's place in the order: a peer cannot jump the queue
    this.waiting.set(key, { from, heads: heads.slice(0, this.maxHeads) })
    if (!this.running) void this.drain()
    return true
  }

  /** Forgets everything waiting (the database is no longer followed). */
  clear (): void {
    this.waiting.clear()
  }

  private async drain (): Promise<void> {
    this.running = true
    try {
      for (;;) {
        const next = this.waiting.entries().next()
        if (next.done === true) break
        const [key, entry] = next.value
        this.waiting.delete(key)
        try {
          await this.handle(entry.from, entry.heads)
        } catch {
          // a handler failure (a closed graph) costs only that announcement
        }
      }
    } finally {
      this.running = false
    }
  }
}

/** The part of gossipsub the gate wraps. */
interface RpcHandler {
  handleReceivedRpc: (from: { toString: () => string }, rpc: { messages?: unknown[] }) => Promise<void>
}

/**
 * Drops an RPC's messages (control and subscriptions still pass) when `admit` refuses
 * them for the peer that sent them, before gossipsub does any work for them.
 */
export function gateRpc (pubsub: unknown, admit: (peer: string, messages: number) => boolean): void {
  const target = pubsub as RpcHandler
  const original = target.handleReceivedRpc.bind(pubsub)
  target.handleReceivedRpc = async (from, rpc) => {
    const count = rpc.messages?.length ?? 0
    if (count > 0 && !admit(from.toString(), count)) rpc.messages = []
    await original(from, rpc)
  }
}
