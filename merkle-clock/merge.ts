/**
 * Merging nodes from elsewhere. Given head CIDs and a way to fetch blocks, find
 * every node this replica lacks, verify each, and return them in causal order
 * (every node after all its parents) for the store to apply.
 *
 * Verification before anything is applied: the bytes hash to the CID, the block
 * is a well-formed node, the database matches, the author is a writer, the node is
 * authentic (its own signature holds, or an authentic node of the same author found
 * in this merge lists it as a parent: authenticate.ts), every parent resolves
 * (locally or from the fetcher) and the height is 1 + the highest parent height
 * (causal.ts, the rule catch-up applies too). A
 * node that fails fails the whole merge, so nothing of it is applied.
 *
 * The walk goes from the heads down and follows only the parents of authentic nodes,
 * so what an unauthenticated node links is never fetched. A node reached from an
 * authentic node of its own author is authentic without a signature check; one reached
 * otherwise is checked, and if its signature fails it waits: a same-author node found
 * later in the walk may still endorse it. One still waiting at the end fails the merge.
 *
 * Causal order: height strictly grows along every parent link, so sorting by
 * (height, CID bytes) is a topological order, and the same one on every replica.
 *
 * Cost: the missing nodes are held in memory until applied, bounded by `maxNodes`.
 */
import type { CID } from 'multiformats/cid'
import { throwIfAborted, type DeltaChunk } from '../quad-model/index.js'
import { sameAuthor } from './authenticate.js'
import { compareCids, type Block } from './block.js'
import { checkCausalBatch } from './causal.js'
import { BadSignatureError, MergeLimitError, MissingBlockError } from './errors.js'
import type { WriterSet } from './manifest.js'
import { commitOf, signatureHolds, verifyNodeContent, verifyPayload, type ClockNode, type Commit } from './node.js'

/** Where a merge gets the blocks it lacks: another local graph, a CAR file, or (later) the network. */
export interface BlockFetcher {
  /** The bytes of a block; rejects when the block cannot be had. */
  get: (cid: CID, options?: { signal?: AbortSignal }) => Promise<Uint8Array | undefined>
}

/** What the merge needs to know of the local clock. */
export interface ClockView {
  /** The height of an applied node, or undefined when it is not applied here. */
  heightOf: (cid: CID) => Promise<number | undefined>
}

export interface MergeOptions {
  db: CID
  writers: WriterSet
  fetch: BlockFetcher
  local: ClockView
  /** Most new nodes one merge may bring in. Default 1,000,000. */
  maxNodes?: number
  /** Authenticate a node by a same-author descendant's signature (authenticate.ts). Default true; false checks every node's own. */
  endorse?: boolean
  signal?: AbortSignal
}

async function fetchBlock (fetcher: BlockFetcher, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined
  try {
    bytes = await fetcher.get(cid, { signal })
  } catch (err) {
    throwIfAborted(signal)
    throw new MissingBlockError(cid, { cause: err })
  }
  // A fetcher is outside code: anything but bytes is a block it does not have.
  if (!(bytes instanceof Uint8Array)) throw new MissingBlockError(cid)
  return bytes
}

/** The verified commits reachable from `heads` that are not applied locally, in causal order. */
export async function collectMissing (heads: CID[], options: MergeOptions): Promise<Commit[]> {
  const { fetch, local, signal } = options
  const maxNodes = options.maxNodes ?? 1_000_000
  const endorse = options.endorse ?? true
  const found = new Map<string, Block<ClockNode>>()
  const localHeights = new Map<string, number>()
  const queued = new Set<string>()
  const stack: CID[] = []
  /** For each CID reached, the authors of the authentic nodes found so far that list it as a parent. */
  const linkedBy = new Map<string, Uint8Array[]>()
  /** Nodes whose own signature failed and that no authentic same-author node has listed yet. */
  const waiting = new Map<string, Block<ClockNode>>()
  const visit = (cid: CID): void => {
    const key = cid.toString()
    if (queued.has(key)) return
    queued.add(key)
    stack.push(cid)
  }
  /** Marks `node` authentic: its parents are walked, and its same-author ones are authentic too. */
  const accept = (first: Block<ClockNode>): void => {
    const accepted = [first]
    while (accepted.length > 0) {
      const node = accepted.pop() as Block<ClockNode>
      const author = node.value.author
      for (const parent of node.value.parents) {
        const key = parent.toString()
        const authors = linkedBy.get(key)
        if (authors === undefined) linkedBy.set(key, [author])
        else authors.push(author)
        const held = waiting.get(key)
        if (held !== undefined && endorse && sameAuthor(held.value.author, author)) {
          waiting.delete(key)
          accepted.push(held)
        }
        visit(parent)
      }
    }
  }
  heads.forEach(visit)
  while (stack.length > 0) {
    throwIfAborted(signal)
    const cid = stack.pop() as CID
    const key = cid.toString()
    const height = await local.heightOf(cid)
    if (height !== undefined) {
      localHeights.set(key, height)
      continue
    }
    if (found.size >= maxNodes) throw new MergeLimitError(maxNodes)
    const bytes = await fetchBlock(fetch, cid, signal)
    const node = verifyNodeContent(cid, bytes, options.db, options.writers)
    found.set(key, node)
    const endorsed = endorse && (linkedBy.get(key) ?? []).some(author => sameAuthor(author, node.value.author))
    if (endorsed || signatureHolds(node.value)) accept(node)
    else waiting.set(key, node)
  }
  if (waiting.size > 0) {
    const first = [...waiting.values()].sort((a, b) => a.value.height - b.value.height || compareCids(a.cid, b.cid))[0]
    throw new BadSignatureError(first.cid)
  }

  const order = [...found.values()].sort((a, b) => a.value.height - b.value.height || compareCids(a.cid, b.cid))
  await checkCausalBatch(order, {
    db: options.db,
    writers: options.writers,
    heightOf: cid => found.get(cid.toString())?.value.height ?? localHeights.get(cid.toString()),
    signal
  })
  const commits: Commit[] = []
  for (const node of order) {
    throwIfAborted(signal)
    const payloads: Array<Block<DeltaChunk>> = []
    for (const cid of node.value.payload ?? []) payloads.push(verifyPayload(cid, await fetchBlock(fetch, cid, signal)))
    commits.push(commitOf(node, payloads))
  }
  return commits
}
