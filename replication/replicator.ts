/**
 * The replicator: one libp2p node that keeps one or more databases in step with peers.
 *
 * For each database it follows it subscribes to the database's gossipsub topic and
 * announces its heads after every change (what a pull merges, once the pulls running end),
 * when a peer joins the topic, and again at a jittered interval, so a lost announcement is
 * healed. An announcement is a hint: a
 * replica that lacks an announced head pulls from the announcer with catch-up
 * (catchup.ts), which verifies everything with the core before applying it. Pulls from
 * one peer for one database never overlap; an announcement during a pull queues one more.
 * When the announcer is not directly connected, every connected peer is asked instead, and
 * bitswap (any connected peer, IPFS nodes included) is the fallback.
 *
 * Misbehaviour costs a peer its connection (see peer-policy.ts for what counts). What a
 * hostile peer can make it hold is bounded before any work is queued: announcements wait
 * in an inbox of one entry per peer behind a per-connection message gate (inbox.ts),
 * serving has a memory budget and cuts stalled readers (serve-budget.ts), and the bitswap
 * fallback stages blocks in memory until the core has verified them (bitswap-staging.ts).
 *
 * Events (CustomEvent): 'peer:joined' { peer, address } when a peer joins a database's
 * topic; 'catchup:progress' { peer, address, received, applied } per applied batch;
 * 'catchup:done' { peer, address, applied, ms } after a pull; 'catchup:failed'
 * { peer, address, error }; 'peer:penalized' { peer, reason, until }; 'serve:refused'
 * { peer, error } when a catch-up request is refused (ERR_SERVE_BUSY) or cut (ERR_SLOW_READER);
 * 'peer:unreachable' { address, attempt, retryInMs, error } when a kept peer (`redial`) could
 * not be dialled.
 */
import { CID } from 'multiformats/cid'
import { KEEP_ALIVE, type Connection, type PeerId, type Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { collectMissing, decodeManifest, MissingBlockError, WriterSet, type BlockFetcher } from '../merkle-clock/index.js'
import { withTimeout } from '../quad-model/index.js'
import { BackendBlockstore, readBlock } from './blockstore.js'
import { requestCatchup, requestManifest, serveCatchup, type RoundResult } from './catchup.js'
import { NoPeersError, PeerBlockedError, PeerUnreachableError, ReplicatorStoppedError, ServeBusyError, SlowReaderError } from './errors.js'
import { BitswapStaging, bitswapRetriever, STAGING_BYTES } from './bitswap-staging.js'
import { Redialer } from './redial.js'
import { AnnouncementInbox, gateRpc } from './inbox.js'
import { SEND_BUFFER_BYTES, ServeBudget, type ServeBudgetOptions } from './serve-budget.js'
import { addFile, catFile, type FileInput } from './files.js'
import type { ReplicaGraph } from './graph.js'
import { createNode, type NodeOptions, type RhizomeHelia } from './node.js'
import { VerifierPool, type SignatureChecker } from './verify-pool.js'
import { isMisbehaviour, PeerPolicy } from './peer-policy.js'
import { CATCHUP_PROTOCOL, decodeAnnouncement, encodeAnnouncement, topicOf } from './wire.js'
import { NameService, type NameServiceOptions } from './names.js'
import type { NameBook } from '../naming/index.js'

export interface ReplicatorOptions extends NodeOptions {
  /** Peers to connect to at start, as multiaddrs with /p2p/ peer IDs. Default: none. */
  peers?: string[]
  /** Mean time between re-announcements of unchanged heads, ms; each wait is jittered ±50 %. Default 30,000. */
  announceInterval?: number
  /** Most commits asked for in one catch-up round. Default 50,000. */
  roundSize?: number
  /** Commits applied per transaction during catch-up. Default 512. */
  batchSize?: number
  /** Signature-checking worker threads. Default: one per core but one (the main thread applies), at least one, at most four; 0 checks inline. */
  workers?: number
  /**
   * Authenticate a catch-up node by the signature of a same-author node of the window that
   * lists it as a parent, instead of checking its own (merkle-clock's authenticate): one
   * check per writer per batch. Default true; false checks every node's signature.
   */
  endorse?: boolean
  /** How long a misbehaving peer stays blocked, ms. Default 600,000. */
  blockFor?: number
  /** Least time between two announcements of one database, ms. Default 25. */
  announceSpacing?: number
  /** Announcements one peer may send per second on average (bursts of five times that); a peer that keeps exceeding it is blocked. Default 60. */
  announcementRate?: number
  /** Longest a catch-up round may go without a frame arriving, ms. Default 30,000. */
  inactivityTimeout?: number
  /** Memory that serving catch-up may hold, in total, per peer and per stream (serve-budget.ts). Default 128 MiB, 16 MiB, 4 MiB. */
  serveBudget?: ServeBudgetOptions
  /** Longest a served catch-up stream may wait for its request or its reader, ms; a reader past it (or under 64 KiB/s) is cut and struck. Default 5,000. */
  stallTimeout?: number
  /** Bytes of unverified bitswap blocks one fallback may stage (bitswap-staging.ts). Default 64 MiB. */
  stagingBytes?: number
  /** Gossipsub messages one directly connected peer may send per second, its own and relayed together, before any is looked at (bursts of five times that). Default 10 × announcementRate. */
  relayRate?: number
  /**
   * Keep `peers` connected instead of requiring them at start: one that cannot be reached
   * is dialled again with backoff (redial.ts) for as long as the replicator runs, and so is
   * one whose connection drops; each failure is a `peer:unreachable` event. For
   * long-running replicas (`rhizome serve`, `rhizome pin`). Default false: `create` fails
   * with ERR_PEER_UNREACHABLE when a peer cannot be reached.
   */
  redial?: boolean
  /** Random numbers in [0, 1) for jitter; pass a seeded one for reproducible runs. Default Math.random. */
  random?: () => number
  /**
   * Sees every well-formed announcement before it is acted on and acts on it by calling
   * `deliver`, any number of times, now or later. For tests that drop, duplicate and
   * reorder announcements. Default: deliver at once.
   */
  announcementGate?: (announcement: { topic: string, from: string, heads: CID[] }, deliver: () => void) => void
}

interface Pull { again: boolean, done: Promise<void> }

interface Hosted {
  graph: ReplicaGraph
  topic: string
  checker: SignatureChecker
  pulls: Map<string, Pull>
  /** Heads each peer announced that this replica lacked, checked after the next pull from it. */
  expected: Map<string, Map<string, CID>>
  /** Heads announced by peers not directly connected, with who announced them: fetched over bitswap if no pull brings them. */
  relayed: Map<string, { head: CID, from: string }>
  /** Announcements waiting to be looked at, one entry per peer (inbox.ts). */
  inbox: AnnouncementInbox<PeerId>
  fetchingRelayed: boolean
  timer?: ReturnType<typeof setTimeout>
  announcing: boolean
  announceWanted: boolean
  lastAnnounced: number
  onChange: (event: Event) => void
  /** A merged change came in during a pull: announce once the pulls have ended. */
  announceAfterPulls: boolean
}

/** Most commit nodes one bitswap fallback gathers before merging. */
const RELAYED_MAX_NODES = 10_000
/** Most relayed heads waiting for the bitswap fallback, per database. */
const MAX_RELAYED_HEADS = 256

export class Replicator extends EventTarget {
  private helia?: RhizomeHelia
  private readonly hosted = new Map<string, Hosted>()
  private readonly byTopic = new Map<string, Hosted>()
  private readonly policy: PeerPolicy
  private readonly controller = new AbortController()
  private readonly random: () => number
  private readonly verifiers: VerifierPool
  /** Catch-up rounds in progress, by peer. */
  private readonly rounds = new Map<string, Set<AbortController>>()
  private readonly budget: ServeBudget
  private stopped = false
  private nameService?: NameService

  private constructor (private readonly options: ReplicatorOptions) {
    super()
    this.random = options.random ?? Math.random
    this.verifiers = new VerifierPool(options.workers)
    this.budget = new ServeBudget(options.serveBudget)
    this.policy = new PeerPolicy(
      { blockFor: options.blockFor ?? 600_000, announcementRate: options.announcementRate ?? 60, relayRate: options.relayRate },
      (peer, reason, until) => { void this.onBlocked(peer, reason, until) }
    )
  }

  /** Starts a node and connects to `options.peers`. */
  static async create (options: ReplicatorOptions = {}): Promise<Replicator> {
    const replicator = new Replicator(options)
    try {
      await replicator.start()
    } catch (err) {
      await replicator.stop()
      await replicator.verifiers.close()
      throw err
    }
    return replicator
  }

  private get node (): RhizomeHelia {
    if (this.helia === undefined || this.stopped) throw new ReplicatorStoppedError()
    return this.helia
  }

  /** This node's peer ID. */
  get peerId (): string { return this.node.libp2p.peerId.toString() }

  /** The multiaddrs peers can reach this node at, each ending in /p2p/<peer ID>. */
  get multiaddrs (): string[] { return this.node.libp2p.getMultiaddrs().map(m => m.toString()) }

  /** The Helia node (for IPFS interop: its blockstore fetches over bitswap). */
  get ipfs (): RhizomeHelia { return this.node }

  /** The addresses of the databases this node follows. */
  get databases (): string[] { return [...this.hosted.keys()] }

  private async start (): Promise<void> {
    const blockstore = new BackendBlockstore(() => [...this.hosted.values()].map(h => h.graph.store), () => this.nameService === undefined ? [] : [async cid => await this.nameService?.rootBlock(cid)])
    const helia = await createNode(blockstore, this.options, peer => this.isBlocked(peer.toString()))
    await helia.start()
    this.helia = helia
    const libp2p = helia.libp2p
    await libp2p.handle(CATCHUP_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 4 })
    const pubsub = libp2p.services.pubsub
    gateRpc(pubsub, (peer, messages) => !this.isBlocked(peer) && this.policy.admitRelayed(peer, messages))
    pubsub.addEventListener('message', event => this.onMessage(event.detail))
    pubsub.addEventListener('subscription-change', event => {
      for (const sub of event.detail.subscriptions) {
        const hosted = this.byTopic.get(sub.topic)
        if (hosted === undefined || !sub.subscribe) continue
        const peer = event.detail.peerId
        this.emit('peer:joined', { peer: peer.toString(), address: hosted.graph.address })
        this.announce(hosted)
        void this.pull(hosted, peer)
      }
    })
    if (this.options.redial === true) {
      const redialer = new Redialer({
        dial: async (address, signal) => await this.connect(address, { signal }),
        connected: address => {
          const peer = multiaddr(address).getComponents().find(c => c.name === 'p2p')?.value
          return peer !== undefined && libp2p.getConnections().some(c => c.remotePeer.toString() === peer)
        },
        onFailure: failure => this.emit('peer:unreachable', failure),
        signal: this.controller.signal,
        random: this.random
      })
      for (const address of this.options.peers ?? []) redialer.keep(address)
    } else {
      for (const address of this.options.peers ?? []) await this.connect(address)
    }
  }

  /**
   * Connects to a peer by multiaddr. The peer is kept: libp2p redials it (with backoff)
   * when the connection drops, unless it is blocked.
   */
  async connect (address: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    let connection: Connection
    try {
      connection = await this.node.libp2p.dial(multiaddr(address), { signal: withTimeout(options.signal, 10_000) })
    } catch (err) {
      if (options.signal?.aborted === true || this.stopped) throw err
      throw new PeerUnreachableError(address, { cause: err })
    }
    await this.node.libp2p.peerStore.merge(connection.remotePeer, { tags: { [KEEP_ALIVE]: {} } })
  }

  /** Starts replicating a database: announcing its heads, answering catch-up for it, pulling from peers. */
  async follow (graph: ReplicaGraph): Promise<void> {
    if (this.hosted.has(graph.address)) return
    if (await graph.store.getBlock(graph.addressCid) === undefined) throw new MissingBlockError(graph.addressCid)
    const hosted: Hosted = {
      graph,
      topic: topicOf(graph.address),
      checker: this.verifiers.checker(),
      pulls: new Map(),
      expected: new Map(),
      relayed: new Map(),
      inbox: new AnnouncementInbox<PeerId>(async (from, heads) => await this.onAnnouncement(hosted, from, heads)),
      fetchingRelayed: false,
      announcing: false,
      announceWanted: false,
      lastAnnounced: 0,
      announceAfterPulls: false,
      onChange: event => {
        // While pulling, every applied batch is a change whose heads are stale at once: the
        // pull announces the heads it ends with. Local writes are announced as they happen.
        if ((event as CustomEvent<{ source?: string }>).detail?.source === 'merge' && hosted.pulls.size > 0) hosted.announceAfterPulls = true
        else this.announce(hosted)
      }
    }
    this.hosted.set(graph.address, hosted)
    this.byTopic.set(hosted.topic, hosted)
    const pubsub = this.node.libp2p.services.pubsub
    pubsub.topicValidators.set(hosted.topic, (peer, message) => this.validate(peer, message))
    pubsub.subscribe(hosted.topic)
    graph.addEventListener('change', hosted.onChange)
    this.scheduleAnnouncement(hosted)
    for (const connection of this.node.libp2p.getConnections()) void this.pull(hosted, connection.remotePeer)
  }

  /** Stops replicating a database (the graph stays open). */
  async unfollow (graph: ReplicaGraph): Promise<void> {
    const hosted = this.hosted.get(graph.address)
    if (hosted === undefined) return
    this.hosted.delete(graph.address)
    this.byTopic.delete(hosted.topic)
    clearTimeout(hosted.timer)
    hosted.inbox.clear()
    graph.removeEventListener('change', hosted.onChange)
    if (!this.stopped) {
      const pubsub = this.node.libp2p.services.pubsub
      pubsub.unsubscribe(hosted.topic)
      pubsub.topicValidators.delete(hosted.topic)
    }
    await Promise.allSettled([...hosted.pulls.values()].map(async p => await p.done))
  }

  /**
   * Catches every followed database (or the one at `address`) up with every connected peer
   * once, and resolves when all those pulls are done, with the commits they applied.
   */
  async sync (options: { address?: string, signal?: AbortSignal } = {}): Promise<{ applied: number }> {
    const targets = options.address === undefined ? [...this.hosted.values()] : [this.hosted.get(options.address)].filter((h): h is Hosted => h !== undefined)
    let applied = 0
    const count = (event: Event): void => { applied += (event as CustomEvent<{ applied: number }>).detail.applied }
    this.addEventListener('catchup:done', count)
    try {
      const peers = this.node.libp2p.getPeers()
      if (peers.length === 0 && targets.length > 0) throw new NoPeersError(targets[0].graph.address)
      await Promise.all(targets.flatMap(h => peers.map(async peer => await this.pull(h, peer))))
    } finally {
      this.removeEventListener('catchup:done', count)
    }
    return { applied }
  }

  /**
   * Fetches the manifest of a database this node does not hold yet, from connected peers
   * (catch-up) or else bitswap, verified against the address. For opening a new replica:
   * `openGraph({ address, fetch: replicator.manifestFetcher() })`.
   */
  manifestFetcher (): BlockFetcher {
    return {
      get: async (cid, options = {}) => {
        for (const peer of this.node.libp2p.getPeers()) {
          try {
            const stream = await this.node.libp2p.dialProtocol(peer, CATCHUP_PROTOCOL, { signal: withTimeout(options.signal, 10_000) })
            const bytes = await requestManifest(stream, cid, { signal: withTimeout(options.signal, 10_000) })
            if (bytes !== undefined) return decodeManifest(cid, bytes).bytes
          } catch {}
        }
        // bitswap without storing: the caller verifies the manifest against the address and keeps it
        const retrieve = bitswapRetriever(this.node)
        if (retrieve === undefined) return await readBlock(this.node.blockstore, cid, { signal: withTimeout(options.signal, 10_000) })
        return decodeManifest(cid, await new BitswapStaging(retrieve).fetch(cid, withTimeout(options.signal, 10_000))).bytes
      }
    }
  }

  /**
   * Serves and follows names (names.ts) from `book`: its records on their IPNS-over-PubSub
   * topics and over Fetch, its root blocks over bitswap. One book per replicator: asked
   * again, the same service is answered; given another book, it serves that one instead.
   */
  names (book: NameBook, options: NameServiceOptions = {}): NameService {
    if (this.nameService?.book === book) return this.nameService
    // Another book (a graph opened by name takes over the book its name was resolved with).
    this.nameService?.stop()
    this.nameService = new NameService(this.node, book, { random: this.random, ...options })
    return this.nameService
  }

  /** The name service, once `names` started it. */
  get nameServiceIfAny (): NameService | undefined { return this.nameService }

  /**
   * Fetches one block by CID from peers over bitswap, without storing it (the caller
   * checks what it is), within `signal` or 10 s.
   */
  async fetchBlock (cid: CID, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const signal = withTimeout(options.signal, 10_000)
    const retrieve = bitswapRetriever(this.node)
    if (retrieve === undefined) return await readBlock(this.node.blockstore, cid, { signal })
    return await new BitswapStaging(retrieve).fetch(cid, signal)
  }

  /** Stores a file (UnixFS) in the first followed database's block store; returns its ipfs:// IRI. */
  async addFile (content: FileInput, options: { signal?: AbortSignal } = {}): Promise<string> {
    return await addFile(this.node.blockstore, content, options)
  }

  /** Streams a file by its ipfs:// IRI, fetching missing blocks from peers. */
  catFile (iri: string, options: { signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
    return catFile(this.node.blockstore, iri, options)
  }

  /** Blocks a peer for `ms` (default `blockFor`): hangs up and refuses its connections. */
  async block (peer: string, reason: string, ms?: number): Promise<void> {
    this.policy.block(peer, reason, ms)
    await this.hangUp(peer)
  }

  /** Lifts a block. */
  unblock (peer: string): void {
    this.policy.unblock(peer)
  }

  isBlocked (peer: string): boolean {
    return this.policy.isBlocked(peer)
  }

  private async onBlocked (peer: string, reason: string, until: number): Promise<void> {
    this.emit('peer:penalized', { peer, reason, until })
    await this.hangUp(peer)
  }

  private async hangUp (peer: string): Promise<void> {
    for (const round of this.rounds.get(peer) ?? []) round.abort(new PeerBlockedError(peer))
    if (this.stopped || this.helia === undefined) return
    const id = this.node.libp2p.getConnections().find(c => c.remotePeer.toString() === peer)?.remotePeer
    if (id !== undefined) await this.node.libp2p.hangUp(id).catch(() => {})
  }

  /** Stops replicating everything, waits for running pulls, and stops the node. Graphs stay open. */
  async stop (): Promise<void> {
    if (this.stopped || this.helia === undefined) return
    this.controller.abort(new ReplicatorStoppedError())
    this.nameService?.stop()
    for (const hosted of [...this.hosted.values()]) await this.unfollow(hosted.graph)
    this.stopped = true
    await this.helia.stop()
    await this.verifiers.close()
  }

  // -------------------------------------------------------------------------------------

  private emit (type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }

  /**
   * Answers a catch-up request within the serving budget (serve-budget.ts): refused at
   * once when the budget is used up, cut when the reader stalls (a strike).
   */
  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    let lease
    try {
      lease = this.budget.reserve(peer)
    } catch (err) {
      this.emit('serve:refused', { peer, error: err })
      stream.abort(err as ServeBusyError)
      return
    }
    try {
      await serveCatchup(stream, db => this.hosted.get(db.toString())?.graph, {
        signal: this.controller.signal,
        stallTimeout: this.options.stallTimeout,
        cacheBytes: Math.max(0, lease.bytes - SEND_BUFFER_BYTES),
        peer
      })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      if (err instanceof SlowReaderError) {
        this.emit('serve:refused', { peer, error: err })
        this.policy.strike(peer, err.message)
      } else if (isMisbehaviour(err)) {
        await this.block(peer, `bad catch-up request: ${(err as Error).message}`)
      }
    } finally {
      lease.release()
    }
  }

  /** Serving memory reserved now (for tests and metrics): in total, and by `peer` when given. */
  serving (peer?: string): number {
    return peer === undefined ? this.budget.reserved : this.budget.reservedBy(peer)
  }

  /**
   * Publishes the current heads, at most once per `announceSpacing` ms: a change during an
   * announcement, or sooner than that after one, is announced once when the spacing allows,
   * with the heads of that moment. So a busy writer's announcements stay within what its
   * peers' rate limits accept, and the last heads are always announced.
   */
  private announce (hosted: Hosted): void {
    if (this.stopped) return
    hosted.announceWanted = true
    if (hosted.announcing) return
    hosted.announcing = true
    const spacing = this.options.announceSpacing ?? 25
    void (async () => {
      try {
        while (hosted.announceWanted && !this.stopped && this.hosted.has(hosted.graph.address)) {
          hosted.announceWanted = false
          const wait = hosted.lastAnnounced + spacing - Date.now()
          if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait).unref?.())
          if (this.stopped) break
          hosted.lastAnnounced = Date.now()
          const heads = await hosted.graph.heads()
          if (heads.length > 0) await this.node.libp2p.services.pubsub.publish(hosted.topic, encodeAnnouncement(heads))
        }
      } catch {
        // the graph closed or the node stopped: nothing to announce
      } finally {
        hosted.announcing = false
      }
    })()
  }

  private scheduleAnnouncement (hosted: Hosted): void {
    const mean = this.options.announceInterval ?? 30_000
    hosted.timer = setTimeout(() => {
      if (this.stopped || !this.hosted.has(hosted.graph.address)) return
      this.announce(hosted)
      this.scheduleAnnouncement(hosted)
    }, mean * (0.5 + this.random()))
    hosted.timer.unref?.()
  }

  /**
   * Gossipsub's validator: rejects announcements from or through blocked peers and
   * malformed ones, and rate-limits each originator (a relay forwards what it was sent;
   * the originator is who floods, and every honest relay limits it too).
   */
  private validate (peer: PeerId, message: Message): TopicValidatorResult {
    if (message.type !== 'signed' || this.isBlocked(peer.toString())) return TopicValidatorResult.Reject
    const key = message.from.toString()
    if (this.isBlocked(key)) return TopicValidatorResult.Reject
    if (!this.policy.admitAnnouncement(key)) return TopicValidatorResult.Ignore
    try {
      decodeAnnouncement(message.data)
    } catch {
      this.policy.strike(key, 'malformed announcement')
      return TopicValidatorResult.Reject
    }
    return TopicValidatorResult.Accept
  }

  private onMessage (message: Message): void {
    const hosted = this.byTopic.get(message.topic)
    if (hosted === undefined || message.type !== 'signed') return
    let heads: CID[]
    try {
      heads = decodeAnnouncement(message.data)
    } catch {
      return
    }
    const from = message.from
    const deliver = (): void => { hosted.inbox.offer(from.toString(), from, heads) }
    if (this.options.announcementGate !== undefined) this.options.announcementGate({ topic: message.topic, from: from.toString(), heads }, deliver)
    else deliver()
  }

  /**
   * Looks an announcement's heads up (one inbox entry at a time) and starts the pulls
   * they call for without waiting for them: pulls coalesce per peer, so a flood of
   * announcements makes at most one pull per peer waiting.
   */
  private async onAnnouncement (hosted: Hosted, from: PeerId, heads: CID[]): Promise<void> {
    if (this.stopped || !this.hosted.has(hosted.graph.address)) return
    const unknown: CID[] = []
    try {
      for (const head of heads) if (await hosted.graph.store.node(head) === undefined) unknown.push(head)
    } catch {
      return // the graph closed
    }
    if (unknown.length === 0) return
    const connected = this.node.libp2p.getConnections(from).length > 0
    if (connected) {
      // the newest announcement's unknown heads only: what a pull must bring, bounded like one announcement
      hosted.expected.set(from.toString(), new Map(unknown.map(head => [head.toString(), head])))
      void this.pull(hosted, from)
    } else {
      const announcer = from.toString()
      for (const head of unknown) if (hosted.relayed.size < MAX_RELAYED_HEADS) hosted.relayed.set(head.toString(), { head, from: announcer })
      void Promise.all(this.node.libp2p.getPeers().map(async peer => await this.pull(hosted, peer)))
        .then(async () => await this.fetchRelayed(hosted))
        .catch(() => {})
    }
  }

  /** Pulls from `peer` until caught up; coalesces with a pull already running. */
  private async pull (hosted: Hosted, peer: PeerId): Promise<void> {
    const key = peer.toString()
    if (this.stopped || this.isBlocked(key)) return
    const running = hosted.pulls.get(key)
    if (running !== undefined) {
      running.again = true
      return await running.done
    }
    const pull: Pull = { again: true, done: Promise.resolve() }
    pull.done = (async () => {
      try {
        while (pull.again && !this.stopped && this.hosted.has(hosted.graph.address)) {
          pull.again = false
          await this.catchUp(hosted, peer)
        }
      } finally {
        hosted.pulls.delete(key)
        if (hosted.pulls.size === 0 && hosted.announceAfterPulls) {
          hosted.announceAfterPulls = false
          this.announce(hosted)
        }
      }
    })()
    hosted.pulls.set(key, pull)
    await pull.done
  }

  /** Catch-up rounds with one peer until it has nothing more; penalizes misbehaviour. */
  private async catchUp (hosted: Hosted, peer: PeerId): Promise<void> {
    const key = peer.toString()
    const address = hosted.graph.address
    const expected = hosted.expected.get(key)
    hosted.expected.delete(key)
    const started = Date.now()
    let applied = 0
    try {
      for (;;) {
        const signal = this.controller.signal
        let stream: Stream
        try {
          stream = await this.node.libp2p.dialProtocol(peer, CATCHUP_PROTOCOL, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.inactivityTimeout ?? 30_000)]) })
        } catch (err) {
          // Not a Rhizome peer (an IPFS node), or gone: nothing to hold against it.
          this.emit('catchup:failed', { peer: key, address, error: err })
          return
        }
        // blocking the peer stops the round too: what it sent but this replica has not applied yet is dropped
        const stop = new AbortController()
        const rounds = this.rounds.get(key) ?? new Set<AbortController>()
        this.rounds.set(key, rounds.add(stop))
        let round: RoundResult
        try {
          round = await requestCatchup(stream, hosted.graph, {
            checker: hosted.checker,
            endorse: this.options.endorse,
            max: this.options.roundSize ?? 50_000,
            batch: this.options.batchSize,
            signal: AbortSignal.any([signal, stop.signal]),
            inactivityTimeout: this.options.inactivityTimeout,
            onProgress: p => this.emit('catchup:progress', { peer: key, address, received: p.received, applied: applied + p.applied })
          })
        } finally {
          rounds.delete(stop)
          if (rounds.size === 0 && this.rounds.get(key) === rounds) this.rounds.delete(key)
        }
        applied += round.applied
        if (!round.more) break
      }
      this.emit('catchup:done', { peer: key, address, applied, ms: Date.now() - started })
    } catch (err) {
      this.emit('catchup:failed', { peer: key, address, error: err })
      if (isMisbehaviour(err)) await this.block(key, `bad catch-up stream: ${(err as Error).message}`)
      return
    }
    if (expected !== undefined) {
      for (const head of expected.values()) {
        if (await hosted.graph.store.node(head).catch(() => undefined) === undefined) {
          this.policy.strike(key, `announced head ${head} it does not serve`)
          break
        }
      }
    }
  }

  /**
   * Bitswap fallback for heads announced through relays that no pull brought. The blocks
   * are gathered first, outside the graph's write lock and outside the block store, in a
   * bounded staging area (bitswap-staging.ts), by the core's own walk (collectMissing:
   * each node verified and authenticated before its parents are fetched, at most
   * RELAYED_MAX_NODES of them); only then does the core merge them from memory
   * (verifying again) and store them. A block that fails verification is dropped with
   * the whole staging area; the peer that served it is blocked, and whoever announced the
   * heads struck. A head nobody serves costs one bitswap timeout here, never a stall of
   * other merges, and no penalty (honest peers may be unreachable).
   */
  private async fetchRelayed (hosted: Hosted): Promise<void> {
    // one fallback at a time per database; heads announced meanwhile wait for the next
    if (hosted.fetchingRelayed) return
    hosted.fetchingRelayed = true
    try {
      while (hosted.relayed.size > 0 && !this.stopped) await this.fetchRelayedOnce(hosted)
    } finally {
      hosted.fetchingRelayed = false
    }
  }

  private async fetchRelayedOnce (hosted: Hosted): Promise<void> {
    const heads: CID[] = []
    const announcers = new Set<string>()
    for (const [key, { head, from }] of hosted.relayed) {
      hosted.relayed.delete(key)
      if (await hosted.graph.store.node(head).catch(() => 0) === undefined) {
        heads.push(head)
        announcers.add(from)
      }
    }
    const retrieve = bitswapRetriever(this.helia)
    if (heads.length === 0 || this.stopped || retrieve === undefined) return
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.inactivityTimeout ?? 30_000)])
    const graph = hosted.graph
    const staging = new BitswapStaging(retrieve, this.options.stagingBytes ?? STAGING_BYTES)
    const fetch = {
      get: async (cid: CID, options?: { signal?: AbortSignal }) => staging.get(cid) ?? await graph.store.getBlock(cid) ?? await staging.fetch(cid, options?.signal ?? signal)
    }
    try {
      // the core's walk, with its checks, over bitswap: only what authentic nodes link is fetched
      await collectMissing(heads, {
        db: graph.addressCid,
        writers: new WriterSet(graph.manifest),
        maxNodes: RELAYED_MAX_NODES,
        endorse: this.options.endorse,
        signal,
        local: { heightOf: async cid => (await graph.store.node(cid))?.height },
        fetch
      })
      await graph.merge(heads, { fetch, signal })
    } catch (err) {
      this.emit('catchup:failed', { peer: 'bitswap', address: graph.address, error: err })
      const cause = (err as { cause?: unknown }).cause
      const bad = isMisbehaviour(err) && (err as { code?: string }).code !== 'ERR_MISSING_BLOCK' ? err : isMisbehaviour(cause) ? cause : undefined
      if (bad !== undefined) {
        const sender = staging.senderOf((bad as { cid?: CID }).cid)
        const reason = `served a block over bitswap that failed verification: ${(bad as Error).message}`
        if (sender !== undefined && sender !== this.peerId) await this.block(sender, reason)
        for (const announcer of announcers) if (announcer !== sender) this.policy.strike(announcer, `announced heads whose blocks failed verification: ${(bad as Error).message}`)
      }
    } finally {
      staging.clear()
    }
  }
}
