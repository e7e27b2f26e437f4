/**
 * Catch-up in one round trip (`/rhizome/catchup/1.0.0`, frames in wire.ts).
 *
 * The requester sends what it has, compactly: its heads and a sample of older commits
 * from its log at exponentially growing distances (1, 2, 4, … back), each of which
 * stands for its whole causal past. The responder works out what the requester lacks
 * (missing.ts) and streams every missing block in causal order in the one stream.
 * With concurrent writers, heads alone would not do: a responder that has not seen the
 * requester's newest commits would know none of its heads and resend all history; with
 * the sample it resends at most about twice what the two replicas do not share.
 *
 * The requester runs the core's checks on each node as it arrives, all but the signature
 * (verifyNodeContent), and holds it in a window of two batches. As each batch's worth of
 * nodes is complete, the core's `authenticate` decides among them which signatures must be
 * checked: a node that a same-author node of the batch lists as a parent is endorsed by
 * that node's signature, so a run of one writer's commits costs one check at its newest
 * node (on worker threads, verify-pool.ts, while the next batch streams in). A node left
 * unauthenticated gets a second chance over the whole window when its batch is applied,
 * so the rule holds over the window. Payloads are verified, and commits are applied in
 * batches in arrival order, so an interrupted catch-up keeps every batch applied and the
 * next request starts from there.
 *
 * A failure applies everything before it: a node failing a check on arrival stops the
 * round once the window before it is applied; a node not authentic when its batch is
 * applied (its own signature fails and no authentic same-author node of the window lists
 * it) ends the batch just before it. Only the nodes up to the batch being applied are
 * judged: one later in the window whose endorser has not arrived yet waits for it.
 *
 * Bounded memory: the responder reads one block at a time and writes with backpressure;
 * the requester holds at most a window of nodes (by count and bytes) between arrival and
 * apply. Frames are at most MAX_FRAME_BYTES; a responder that sends more nodes than asked
 * for, blocks out of place, or anything that fails verification is a protocol violation.
 */
import type { CID } from 'multiformats/cid'
import type { Stream } from '@libp2p/interface'
import { throwIfAborted, turnEventLoop, type DeltaChunk } from '../quad-model/index.js'
import {
  authenticate, BadSignatureError, commitBlocks, commitOf, verifyNodeContent, verifyPayload, WriterSet, type Block, type ClockNode, type Commit
} from '../merkle-clock/index.js'
import { ProtocolError, SlowReaderError, StreamEndedError } from './errors.js'
import { MIN_READ_RATE, STALL_TIMEOUT } from './serve-budget.js'
import { FrameReader, FrameWriter } from './frames.js'
import { FILE_IRI_PREFIX, fileBlocks, filesNamedIn, verifyFileBlock } from './files.js'
import type { ReplicaGraph } from './graph.js'
import { missingNodes } from './missing.js'
import type { SignatureChecker } from './verify-pool.js'
import {
  decodeFrame, decodeRequest, encodeBlockFrame, encodeEndFrame, encodeRequest, FRAME_END, FRAME_FILE, FRAME_MANIFEST,
  FRAME_NODE, FRAME_PAYLOAD, MAX_FRAME_BYTES, type CatchupRequest
} from './wire.js'

/** Most payload blocks one commit may span on the wire (each at most 1 MiB). */

export const MAX_PAYLOADS_PER_COMMIT = 1024
/** Most nodes one round may carry, whatever the requester asks. */
export const MAX_NODES_PER_ROUND = 100_000

/** Longest a catch-up waits for a frame, or for the peer to take one, by default (ms). */
export const INACTIVITY_TIMEOUT = 30_000

async function readFrame (reader: FrameReader): Promise<Uint8Array> {
  const frame = await reader.read()
  if (frame === undefined) throw new StreamEndedError()
  return frame
}

// ---------------------------------------------------------------------------------------
// Responder

export interface ServeOptions {
  /** Stops serving (replication stopping). */
  signal?: AbortSignal
  /** Longest the request may take to arrive, and a send may wait for the reader, ms. Default STALL_TIMEOUT. */
  stallTimeout?: number
  /** Least average rate the reader must take the stream at, bytes a second, once past the first stall deadline. Default MIN_READ_RATE. */
  minReadRate?: number
  /** Bytes the walk may cache for sending (missing.ts). Default 32 MiB. */
  cacheBytes?: number
  /** Who is served, for errors. */
  peer?: string
}

/**
 * Serves one catch-up request on `stream`. `graphOf` finds a hosted database by address.
 * A reader that stalls, or trickles, is cut with SlowReaderError (serve-budget.ts).
 */
export async function serveCatchup (stream: Stream, graphOf: (db: CID) => ReplicaGraph | undefined, options: ServeOptions = {}): Promise<{ sent: number }> {
  const stall = options.stallTimeout ?? STALL_TIMEOUT
  const minRate = options.minReadRate ?? MIN_READ_RATE
  const peer = options.peer ?? 'the peer'
  const io = { signal: options.signal, inactivityTimeout: stall }
  const reader = new FrameReader(stream, MAX_FRAME_BYTES, io)
  const writer = new FrameWriter(stream, io)
  let bytesOut = 0
  // Only the time spent waiting for the reader counts: a slow store is this replica's doing.
  const write = async (frame: Uint8Array): Promise<void> => {
    await writer.write(frame)
    bytesOut += frame.length
    if (writer.waited > stall + bytesOut / minRate * 1000) throw new SlowReaderError(peer, stall)
  }
  try {
    const request = decodeRequest(await readFrame(reader))
    const graph = graphOf(request.db)
    let sent = 0
    let more = false
    if (graph !== undefined) {
      const store = graph.store
      const get = async (cid: CID): Promise<Uint8Array | undefined> => await store.getBlock(cid)
      if (request.manifest) {
        const manifest = await store.getBlock(graph.addressCid)
        if (manifest !== undefined) await write(encodeBlockFrame(FRAME_MANIFEST, graph.addressCid, manifest))
      }
      const max = Math.min(request.max, MAX_NODES_PER_ROUND)
      const missing = max === 0 ? { nodes: [], more: false } : await missingNodes(store, request.have, { max, signal: options.signal, cacheBytes: options.cacheBytes })
      more = missing.more
      for await (const { cid, bytes: cached } of missing.nodes) {
        throwIfAborted(options.signal)
        const bytes = cached ?? await store.getBlock(cid)
        if (bytes === undefined) continue
        await write(encodeBlockFrame(FRAME_NODE, cid, bytes))
        sent++
        if (!mayLinkBlocks(bytes)) continue
        const chunks: DeltaChunk[] = []
        for await (const block of commitBlocks(get, cid, bytes, options.signal)) {
          if (block.kind === 'payload') await write(encodeBlockFrame(FRAME_PAYLOAD, block.cid, block.bytes))
          if (block.chunk !== undefined) chunks.push(block.chunk)
        }
        for (const file of filesNamedIn(chunks)) {
          for await (const block of fileBlocks(get, file, options.signal)) {
            await write(encodeBlockFrame(FRAME_FILE, block.cid, block.bytes))
          }
        }
      }
    }
    await writer.write(encodeEndFrame({ sent, more }))
    await writer.flush()
    await stream.close({ signal: AbortSignal.timeout(stall) })
    resetUnlessClosed(stream, INACTIVITY_TIMEOUT)
    return { sent }
  } catch (err) {
    // a wait that ran out (not replication stopping) is the reader's doing
    if (options.signal?.aborted !== true && (err as Error)?.name === 'TimeoutError') throw new SlowReaderError(peer, stall, { cause: err })
    throw err
  }
}

/**
 * A requester closes its end once it has read the end frame; one that never does would
 * keep the stream, and one of its peer's few inbound stream slots, open for ever. The
 * grace is long, since an honest requester may still be applying what it read.
 */
function resetUnlessClosed (stream: Stream, ms: number): void {
  if (stream.status !== 'open') return
  const timer = setTimeout(() => { if (stream.status === 'open') stream.abort(new ProtocolError('the requester never closed the catch-up stream')) }, ms)
  timer.unref?.()
  stream.addEventListener('close', () => clearTimeout(timer), { once: true })
}

// CBOR writes map keys and strings as their UTF-8 bytes, whole: a node whose bytes hold
// neither the key "payload" nor "ipfs://" has no payload blocks and names no file.
const PAYLOAD_KEY = Buffer.from('\x67payload', 'latin1')
const FILE_IRI = Buffer.from(FILE_IRI_PREFIX, 'latin1')

/** Whether a node may link payload blocks or name files (a scan that spares decoding most nodes). */
function mayLinkBlocks (bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return buffer.includes(PAYLOAD_KEY) || buffer.includes(FILE_IRI)
}

// ---------------------------------------------------------------------------------------
// Requester

export interface CatchupProgress {
  /** Nodes received in this round so far. */
  received: number
  /** Commits applied in this round so far. */
  applied: number
}

export interface RequestOptions {
  /** Checks the signatures that endorsement does not cover (on worker threads, or inline). */
  checker: SignatureChecker
  /** Authenticate a node by a same-author descendant in the window (merkle-clock authenticate). Default true; false checks every node's signature. */
  endorse?: boolean
  /** Most nodes to ask for in this round. */
  max: number
  /** Commits per apply (one transaction each). */
  batch?: number
  /** Ask for the manifest first (a replica opening a database it has not seen). */
  manifest?: boolean
  /** Receives the manifest block, unverified: the caller checks it against the address. */
  onManifest?: (cid: CID, bytes: Uint8Array) => void
  onProgress?: (progress: CatchupProgress) => void
  /** Stops the round (replication stopping). */
  signal?: AbortSignal
  /** Longest to wait for the next frame, ms. Default INACTIVITY_TIMEOUT. */
  inactivityTimeout?: number
}

export interface RoundResult extends CatchupProgress {
  /** The responder has more to send: ask again. */
  more: boolean
}

/** A node that passed every check but its signature, and the payload frames that followed it. */
interface Arrival extends Block<ClockNode> {
  payloads: Array<{ cid: CID, bytes: Uint8Array }>
  size: number
  /** Its own signature's check, once started. */
  signature?: Promise<boolean>
  /** Authenticated (by its signature or a same-author node of the window). */
  authentic: boolean
  /** The authentication of the group it arrived in, once started. */
  group?: Promise<void>
}

const WINDOW_BYTES = 32 * 1024 * 1024

/**
 * One catch-up round over `stream` (already negotiated): sends this replica's heads, then
 * verifies and applies what comes back. Every batch applied stays applied even when the
 * round fails later; the error (a ProtocolError or the core's verification error) says why.
 */
export async function requestCatchup (stream: Stream, graph: ReplicaGraph, options: RequestOptions): Promise<RoundResult> {
  const { signal, checker } = options
  const endorse = options.endorse ?? true
  const batchSize = options.batch ?? 512
  const db = graph.addressCid
  const writers = new WriterSet(graph.manifest)
  const io = { signal, inactivityTimeout: options.inactivityTimeout ?? INACTIVITY_TIMEOUT }
  const reader = new FrameReader(stream, MAX_FRAME_BYTES, io)
  const writer = new FrameWriter(stream, io)
  const request: CatchupRequest = { db, have: await haveSummary(graph), manifest: options.manifest ?? false, max: options.max }
  await writer.write(encodeRequest(request))
  await writer.flush()

  const window: Arrival[] = []
  let windowBytes = 0
  let current: Arrival | undefined
  const progress: CatchupProgress = { received: 0, applied: 0 }
  const files: Array<{ cid: CID, bytes: Uint8Array }> = []

  /** Own-signature verdicts, each asked for once (the checker posts a call's nodes at once). */
  const checkSignatures = async (arrivals: Arrival[]): Promise<boolean[]> => {
    const unasked = arrivals.filter(a => a.signature === undefined)
    if (unasked.length > 0) {
      const verdicts = checker.check(unasked)
      unasked.forEach((arrival, i) => { arrival.signature = verdicts.then(v => v[i]) })
    }
    return await Promise.all(arrivals.map(async a => await (a.signature as Promise<boolean>)))
  }

  /** Marks authentic the arrivals that the core's rule authenticates among `arrivals` (those marked already count as authentic). */
  const authenticateAmong = async (arrivals: Arrival[]): Promise<void> => {
    const failed = new Set(await authenticate(arrivals, { check: checkSignatures, authentic: a => a.authentic, endorse }))
    for (const arrival of arrivals) if (!failed.has(arrival)) arrival.authentic = true
  }

  // Each batch's worth of arrivals is authenticated as soon as it is complete, beside the
  // stream, so its signature checks are done by the time it is applied (one batch later).
  // Checking every signature, groups are small, so the workers start early and keep up.
  const groupSize = endorse ? batchSize : 32
  let ungrouped: Arrival[] = []
  const startGroup = (): void => {
    if (ungrouped.length === 0) return
    const group = authenticateAmong(ungrouped)
    group.catch(() => {}) // observed when its batch is applied
    for (const arrival of ungrouped) arrival.group = group
    ungrouped = []
  }

  /** Authenticates the first `count` arrivals, verifies their payloads and applies them as one batch. */
  const applyPrefix = async (count: number): Promise<void> => {
    startGroup()
    const prefix = window.slice(0, count)
    for (const group of new Set(prefix.map(a => a.group))) await group
    // Not authentic within its group: an authentic same-author node anywhere in the window
    // may endorse it (signature verdicts are kept, so none is checked twice).
    if (prefix.some(a => !a.authentic)) await authenticateAmong(window)
    const commits: Commit[] = []
    let failure: unknown
    let taken = 0
    for (; taken < count; taken++) {
      const arrival = window[taken]
      try {
        if (!arrival.authentic) throw new BadSignatureError(arrival.cid)
        commits.push(assemble({ cid: arrival.cid, bytes: arrival.bytes, value: arrival.value }, arrival.payloads))
      } catch (err) {
        failure = err
        break
      }
    }
    const done = window.splice(0, failure === undefined ? taken : window.length)
    windowBytes -= done.reduce((n, a) => n + a.size, 0)
    if (commits.length > 0) {
      if (files.length > 0) await graph.store.putBlocks(files.splice(0))
      const { applied } = await graph.applyVerified(commits, { signal })
      progress.applied += applied
      options.onProgress?.({ ...progress })
    }
    if (failure !== undefined) throw failure
  }

  const finishCurrent = async (): Promise<void> => {
    if (current === undefined) return
    window.push(current)
    windowBytes += current.size
    ungrouped.push(current)
    current = undefined
    if (ungrouped.length >= groupSize) startGroup()
    if (window.length >= 2 * batchSize) {
      // Frames already buffered are read without turning the event loop, and so are the
      // transport's: let it take in what has arrived and grant the responder more window
      // before the batch is applied, so it keeps sending while this replica applies.
      await turnEventLoop()
      await applyPrefix(batchSize)
    } else if (windowBytes > WINDOW_BYTES) await applyPrefix(window.length)
  }

  try {
    for (;;) {
      throwIfAborted(signal)
      const frame = decodeFrame(await readFrame(reader))
      if (frame.kind === FRAME_END) {
        await finishCurrent()
        await applyPrefix(window.length)
        if (files.length > 0) await graph.store.putBlocks(files.splice(0))
        if (frame.sent !== progress.received) throw new ProtocolError(`responder reports ${frame.sent} nodes sent, ${progress.received} arrived`)
        await stream.close({ signal }).catch(() => {})
        return { ...progress, more: frame.more }
      }
      if (frame.kind === FRAME_MANIFEST) {
        if (!request.manifest || progress.received > 0) throw new ProtocolError('manifest frame out of place')
        options.onManifest?.(frame.cid, frame.bytes.slice())
      } else if (frame.kind === FRAME_NODE) {
        await finishCurrent()
        if (++progress.received > options.max) throw new ProtocolError(`responder sent more than the ${options.max} nodes asked for`)
        // Nodes this replica already holds are verified too (applyVerified then skips them):
        // a responder sends a few when it does not know this replica's newest commits.
        const bytes = frame.bytes.slice()
        let node: Block<ClockNode>
        try {
          node = verifyNodeContent(frame.cid, bytes, db, writers)
        } catch (err) {
          await applyPrefix(window.length) // everything that came before it
          throw err
        }
        current = { cid: node.cid, bytes, value: node.value, payloads: [], size: bytes.length, authentic: false }
      } else if (frame.kind === FRAME_PAYLOAD) {
        if (current === undefined) throw new ProtocolError('payload frame before any node')
        if (current.payloads.length >= MAX_PAYLOADS_PER_COMMIT) throw new ProtocolError('too many payload blocks for one commit')
        current.payloads.push({ cid: frame.cid, bytes: frame.bytes.slice() })
        current.size += frame.bytes.length
      } else {
        if (current === undefined) throw new ProtocolError('file frame before any node')
        verifyFileBlock(frame.cid, frame.bytes)
        files.push({ cid: frame.cid, bytes: frame.bytes.slice() })
        if (files.length > 256) await graph.store.putBlocks(files.splice(0))
      }
    }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** This replica's heads, then commits from its log 1, 2, 4, 8, … back from the newest. */
export async function haveSummary (graph: ReplicaGraph): Promise<CID[]> {
  const have = await graph.heads()
  const newest = (await graph.store.log({ limit: 1 }))[0]
  if (newest === undefined) return have
  const seen = new Set(have.map(String))
  for (let back = 1; back < newest.seq && have.length < 64; back *= 2) {
    const [record] = await graph.store.log({ limit: 1, before: newest.seq - back + 1 })
    if (record === undefined) break
    if (!seen.has(record.cid.toString())) {
      seen.add(record.cid.toString())
      have.push(record.cid)
    }
  }
  return have.slice(0, 256)
}

/**
 * Asks a peer for the manifest of `db` alone (a replica about to open a database it has
 * never seen). The bytes are unverified: the caller checks them against the address.
 */
export async function requestManifest (stream: Stream, db: CID, options: { signal?: AbortSignal } = {}): Promise<Uint8Array | undefined> {
  const io = { signal: options.signal, inactivityTimeout: INACTIVITY_TIMEOUT }
  const reader = new FrameReader(stream, MAX_FRAME_BYTES, io)
  const writer = new FrameWriter(stream, io)
  await writer.write(encodeRequest({ db, have: [], manifest: true, max: 0 }))
  await writer.flush()
  let manifest: Uint8Array | undefined
  for (;;) {
    const frame = decodeFrame(await readFrame(reader))
    if (frame.kind === FRAME_END) break
    if (frame.kind !== FRAME_MANIFEST || manifest !== undefined || !frame.cid.equals(db)) throw new ProtocolError('expected only the manifest')
    manifest = frame.bytes.slice()
  }
  await stream.close(options).catch(() => {})
  return manifest
}

/** A verified node and the payload frames that followed it, checked against its payload list. */
function assemble (node: Block<ClockNode>, payloads: Array<{ cid: CID, bytes: Uint8Array }>): Commit {
  const links = node.value.payload ?? []
  if (links.length !== payloads.length || !links.every((cid, i) => cid.equals(payloads[i].cid))) {
    throw new ProtocolError(`node ${node.cid} arrived without exactly its payload blocks`)
  }
  return commitOf(node, payloads.map(p => verifyPayload(p.cid, p.bytes)))
}
