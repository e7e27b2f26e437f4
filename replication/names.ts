/**
 * Names on the network: IPNS over PubSub and the libp2p Fetch protocol, as the IPFS
 * ecosystem runs them (@helia/ipns's pubsub router speaks the same), over a NameBook.
 *
 * - A name's records travel on its topic, `/record/` + base64url of its routing key. Each
 *   message is checked by the topic validator before gossipsub relays it: a record that
 *   fails (forged, expired, too large, V1-only, malformed) is rejected, which costs its
 *   sender gossipsub score; an older or known one is ignored; a newer one is kept.
 * - Fetch answers `/ipns/<multihash>` with the record held, so a peer that just joined
 *   gets the latest at once; when a peer subscribes to a name this node watches, this
 *   node asks it the same way.
 * - Records held are sent again on their topics every `rebroadcastInterval` for as long
 *   as they are valid: an availability peer keeps a name alive after its publisher left
 *   (it cannot extend a record's validity; only the publisher can sign a new one).
 * - Root blocks held by the book are served over bitswap (the replicator's blockstore
 *   reads them), and fetched over bitswap when a resolved record's root is missing.
 *
 * Cost: one topic per name watched; a resolve asks each connected peer once (Fetch, at
 * most `fetchTimeout` each) and answers as soon as all have answered.
 */
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import { checkRecord, NameNotFoundError, nameOfRoutingKey, parseName, nameOfTopic, RecordError, type CheckedRecord, type IpnsName, type NameBook } from '../naming/index.js'
import { withTimeout, AbortedError, RhizomeError } from '../quad-model/index.js'
import type { RhizomeHelia } from './node.js'

export interface NameServiceOptions {
  /** How often records held are sent again on their topics, ms (jittered ±50 %). Default 300,000 (a record's TTL). */
  rebroadcastInterval?: number
  /** Longest one peer may take to answer a Fetch, ms. Default 2,500 (@helia/ipns's too). */
  fetchTimeout?: number
  random?: () => number
}

export interface ResolveOptions {
  signal?: AbortSignal
  /** Longest the resolve waits for a record when none is held and no peer has one yet, ms. Default 10,000. */
  timeout?: number
  /** Wait for a record to arrive on the topic when no connected peer has one. Default true; false answers after asking the peers. */
  wait?: boolean
}

const IPNS_PREFIX = '/ipns/'

export class NameService {
  private readonly watched = new Map<string, IpnsName>()
  private timer?: ReturnType<typeof setTimeout>
  private readonly controller = new AbortController()
  private readonly random: () => number

  constructor (private readonly helia: RhizomeHelia, readonly book: NameBook, private readonly options: NameServiceOptions = {}) {
    this.random = options.random ?? Math.random
    const libp2p = helia.libp2p
    libp2p.services.fetch.registerLookupFunction(IPNS_PREFIX, async key => {
      try {
        return this.book.held(nameOfRoutingKey(key).name)?.bytes
      } catch {
        return undefined
      }
    })
    libp2p.services.pubsub.addEventListener('subscription-change', this.onSubscription)
    for (const name of book.names()) this.watch(parseName(name))
    this.schedule()
  }

  /** A peer joined the topic of a name watched here: ask it for its record. */
  private readonly onSubscription = (event: CustomEvent<{ peerId: PeerId, subscriptions: Array<{ topic: string, subscribe: boolean }> }>): void => {
    for (const sub of event.detail.subscriptions) {
      const name = this.watched.get(sub.topic)
      if (name === undefined || !sub.subscribe) continue
      void this.fetchFrom(event.detail.peerId, name).catch(() => {})
    }
  }

  /** Keeps records of `name`: subscribes to its topic (idempotent). */
  watch (name: IpnsName): void {
    if (this.watched.has(name.topic)) return
    this.watched.set(name.topic, name)
    const pubsub = this.helia.libp2p.services.pubsub
    pubsub.topicValidators.set(name.topic, async (peer, message) => await this.validate(peer, message))
    pubsub.subscribe(name.topic)
  }

  /** Sends the record held for `name` on its topic (after a publish, or to keep it alive). */
  async announce (name: IpnsName): Promise<number> {
    this.watch(name)
    const record = this.book.held(name.name)
    if (record === undefined) return 0
    const result = await this.helia.libp2p.services.pubsub.publish(name.topic, record.bytes)
    return result.recipients.length
  }

  /**
   * The newest valid record of `name` this node can find: the one held, and whatever each
   * connected peer answers over Fetch; when there is none yet, waits (up to `timeout`) for
   * one to arrive on the topic. Fails with NameNotFoundError, or with the RecordError of a
   * refused record when only refused ones came.
   */
  async resolve (name: IpnsName, options: ResolveOptions = {}): Promise<CheckedRecord> {
    const timeout = options.timeout ?? 10_000
    const signal = withTimeout(AbortSignal.any([options.signal ?? new AbortController().signal, this.controller.signal]), timeout)
    this.watch(name)
    let refused: RecordError | undefined
    const peers = this.helia.libp2p.getPeers()
    await Promise.all(peers.map(async peer => {
      try {
        await this.fetchFrom(peer, name, signal)
      } catch (err) {
        if (err instanceof RecordError && err.code !== 'ERR_RECORD_REPLAYED') refused ??= err
      }
    }))
    const held = this.book.held(name.name)
    if (held !== undefined) return held
    const arrived = options.wait === false ? undefined : await this.nextRecord(name, signal)
    if (arrived !== undefined) return arrived
    if (options.signal?.aborted === true) throw new AbortedError('the resolve was aborted', { cause: options.signal.reason })
    if (refused !== undefined) throw refused
    throw new NameNotFoundError(name.name, peers.length === 0
      ? `no peer was connected within ${timeout / 1000} s`
      : `none of ${peers.length} connected peer${peers.length === 1 ? '' : 's'} had a valid record within ${timeout / 1000} s`)
  }

  /**
   * Asks the connected peers over Fetch, again every 100 ms, until `atLeast` of them (at
   * most all) answer a record of `name` with at least `sequence`, or `signal` fires;
   * answers how many did. A publisher about to go offline waits on this.
   */
  async confirm (name: IpnsName, sequence: bigint, options: { signal?: AbortSignal, atLeast?: number } = {}): Promise<number> {
    const signal = options.signal ?? this.controller.signal
    let confirmed = new Set<string>()
    while (!signal.aborted) {
      const peers = this.helia.libp2p.getPeers()
      const answers = await Promise.all(peers.map(async peer => {
        const bytes = await this.fetchRecord(peer, name, signal)
        if (bytes === undefined) return undefined
        const record = await checkRecord(name, bytes).catch(() => undefined)
        return record !== undefined && record.sequence >= sequence ? peer.toString() : undefined
      }))
      confirmed = new Set([...confirmed, ...answers.filter((p): p is string => p !== undefined)])
      if (peers.length > 0 && confirmed.size >= Math.min(options.atLeast ?? 1, peers.length)) break
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 100)
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
      })
    }
    return confirmed.size
  }

  /** One peer's answer over Fetch for the record of `name` (unchecked), or undefined when it has none, fails or is slow. */
  private async fetchRecord (peer: PeerId, name: IpnsName, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const limited = withTimeout(signal ?? this.controller.signal, this.options.fetchTimeout ?? 2_500)
    return await this.helia.libp2p.services.fetch.fetch(peer, name.routingKey, { signal: limited }).catch(() => undefined)
  }

  /** Asks one peer for the record of `name` over Fetch and offers it to the book. */
  private async fetchFrom (peer: PeerId, name: IpnsName, signal?: AbortSignal): Promise<CheckedRecord | undefined> {
    const bytes = await this.fetchRecord(peer, name, signal)
    if (bytes === undefined) return undefined
    const { record } = await this.book.offer(name, bytes)
    return record
  }

  private async nextRecord (name: IpnsName, signal: AbortSignal): Promise<CheckedRecord | undefined> {
    if (signal.aborted) return undefined
    return await new Promise(resolve => {
      const onRecord = (event: Event): void => {
        const detail = (event as CustomEvent<{ name: string, record: CheckedRecord }>).detail
        if (detail.name !== name.name) return
        done(detail.record)
      }
      const onAbort = (): void => done(undefined)
      const done = (record: CheckedRecord | undefined): void => {
        this.book.removeEventListener('record', onRecord)
        signal.removeEventListener('abort', onAbort)
        resolve(record)
      }
      this.book.addEventListener('record', onRecord)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private async validate (_peer: PeerId, message: Message): Promise<TopicValidatorResult> {
    if (message.type !== 'signed') return TopicValidatorResult.Reject
    const name = nameOfTopic(message.topic)
    if (name === undefined) return TopicValidatorResult.Reject
    try {
      const { kept } = await this.book.offer(name, message.data)
      return kept ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore
    } catch (err) {
      if (err instanceof RhizomeError && err.code.startsWith('ERR_RECORD_')) return TopicValidatorResult.Reject
      return TopicValidatorResult.Ignore
    }
  }

  private schedule (): void {
    const mean = this.options.rebroadcastInterval ?? 300_000
    this.timer = setTimeout(() => {
      void (async () => {
        for (const name of this.watched.values()) await this.announce(name).catch(() => 0)
        if (!this.controller.signal.aborted) this.schedule()
      })()
    }, mean * (0.5 + this.random()))
    this.timer.unref?.()
  }

  /** The root block of a record held here, for the blockstore. */
  async rootBlock (cid: CID): Promise<Uint8Array | undefined> {
    return await this.book.rootBlock(cid)
  }

  stop (): void {
    this.controller.abort(new AbortedError('the name service stopped'))
    clearTimeout(this.timer)
    const pubsub = this.helia.libp2p.services.pubsub
    pubsub.removeEventListener('subscription-change', this.onSubscription)
    this.helia.libp2p.services.fetch.unregisterLookupFunction(IPNS_PREFIX)
    for (const topic of this.watched.keys()) {
      try {
        pubsub.unsubscribe(topic)
      } catch {}
      pubsub.topicValidators.delete(topic)
    }
    this.watched.clear()
  }
}
