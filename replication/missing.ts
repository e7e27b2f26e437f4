/**
 * What a requester lacks, computed by the responder from the requester's heads alone.
 *
 * "Paint down" (as git's negotiation does): walk this replica's DAG from both its own heads
 * (painted mine) and the requester's heads it knows (painted theirs), always taking the
 * highest node next. A theirs node passes theirs to its parents; a node that is only mine
 * is missing at the requester and passes mine on. Heights strictly fall along parent
 * links, so by the time a node is taken every child that could paint it has been, and the
 * walk stops as soon as nothing only-mine is left in the queue.
 *
 * Cost: the queue holds the walk's frontier, not the history, and the result keeps at most
 * 2 × `max` entries: nodes are found highest first, and only the lowest `max` are returned,
 * which is a causally closed prefix (every parent is lower). The requester asks again for
 * the rest. Requester heads this replica does not know are ignored: some nodes the
 * requester holds may then be sent again, which it skips.
 */
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { throwIfAborted } from '../quad-model/index.js'
import type { ReplicaStore } from './graph.js'

const MINE = 1
const THEIRS = 2

interface Entry { cid: CID, height: number, paint: number }

/** A binary max-heap by height. */
class HeightHeap {
  private readonly items: Entry[] = []
  get size (): number { return this.items.length }

  push (entry: Entry): void {
    const items = this.items
    items.push(entry)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent].height >= items[i].height) break
      ;[items[parent], items[i]] = [items[i], items[parent]]
      i = parent
    }
  }

  pop (): Entry | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < items.length && items[l].height > items[m].height) m = l
        if (r < items.length && items[r].height > items[m].height) m = r
        if (m === i) break
        ;[items[m], items[i]] = [items[i], items[m]]
        i = m
      }
    }
    return top
  }
}

export interface MissingResult {
  /** Missing nodes in causal order (ascending height or local apply order), with their bytes while they fit in the cache budget. */
  nodes: Iterable<Missing> | AsyncIterable<Missing>
  /** True when more nodes are missing than `nodes` holds. */
  more: boolean
}

export interface Missing { cid: CID, height: number, bytes?: Uint8Array }

/** The first page of `everything` is small, so the first nodes go out at once. */
const FIRST_PAGE = 256
const PAGE = 4096

/**
 * Every node, for a requester that holds none of this replica's history (a fresh
 * replica): no walk needed, the local apply order (sequence numbers) is causal already.
 * Read oldest first, a range of sequence numbers at a time (the log pages newest first
 * below a bound, so each range is one page, reversed), while the responder sends: the
 * first nodes go out after one small read, not after the whole log. Both backends number
 * nodes densely; a gap in the numbering only makes a page shorter.
 */
async function everything (backend: ReplicaStore, max: number, signal?: AbortSignal): Promise<MissingResult> {
  const newest = (await backend.log({ limit: 1 }))[0]?.seq ?? 0
  const count = await backend.nodeCount()
  async function * pages (): AsyncGenerator<Missing> {
    let sent = 0
    for (let low = 0, size = FIRST_PAGE; low <= newest && sent < max; low += size, size = PAGE) {
      throwIfAborted(signal)
      const high = Math.min(newest + 1, low + size)
      const page = await backend.log({ limit: high - low, before: high })
      for (let i = page.length - 1; i >= 0 && sent < max; i--) {
        if (page[i].seq < low) continue // below the range: sent with an earlier page
        sent++
        yield { cid: page[i].cid, height: page[i].height }
      }
    }
  }
  return { nodes: pages(), more: count > max }
}

/** The commit nodes reachable from this replica's heads that the requester (holding `theirHeads`) lacks. */
export async function missingNodes (backend: ReplicaStore, theirHeads: CID[], options: { max: number, signal?: AbortSignal, cacheBytes?: number }): Promise<MissingResult> {
  // Blocks read by the walk are kept for the sender up to this many bytes, then read again.
  let cacheLeft = options.cacheBytes ?? 32 * 1024 * 1024
  const heap = new HeightHeap()
  const queued = new Map<string, Entry>()
  let onlyMine = 0
  const paint = async (cid: CID, colour: number, height?: number): Promise<void> => {
    const key = cid.toString()
    const entry = queued.get(key)
    if (entry !== undefined) {
      if (colour === THEIRS && entry.paint === MINE) onlyMine--
      entry.paint |= colour
      return
    }
    const h = height ?? (await backend.node(cid))?.height
    if (h === undefined) return
    const fresh = { cid, height: h, paint: colour }
    queued.set(key, fresh)
    heap.push(fresh)
    if (colour === MINE) onlyMine++
  }
  for (const head of await backend.heads()) await paint(head.cid, MINE, head.height)
  for (const head of theirHeads) await paint(head, THEIRS)
  if (onlyMine === queued.size) return await everything(backend, options.max, options.signal)

  let found: Missing[] = []
  let more = false
  while (onlyMine > 0) {
    throwIfAborted(options.signal)
    const entry = heap.pop() as Entry
    queued.delete(entry.cid.toString())
    const mine = entry.paint === MINE
    const bytes = await backend.getBlock(entry.cid)
    if (mine) {
      onlyMine--
      const keep = bytes !== undefined && bytes.length <= cacheLeft
      if (keep) cacheLeft -= bytes.length
      found.push({ cid: entry.cid, height: entry.height, bytes: keep ? bytes : undefined })
      if (found.length >= 2 * options.max && options.max > 0) {
        const dropped = found.slice(0, found.length - options.max)
        for (const d of dropped) cacheLeft += d.bytes?.length ?? 0
        found = found.slice(found.length - options.max)
        more = true
      }
    }
    if (bytes === undefined) continue
    const node = dagCbor.decode(bytes) as { parents: CID[] }
    for (const parent of node.parents) await paint(parent, mine ? MINE : THEIRS)
  }
  if (found.length > options.max) {
    found = found.slice(found.length - options.max)
    more = true
  }
  return { nodes: found.reverse(), more }
}
