/**
 * The blocks of a commit as a store holds them: its node, then its payload blocks in
 * the node's order, each with the delta chunk it carries. Export (CAR), the log and
 * catch-up serving read commits through this one walk, so what a commit consists of
 * is written once. The files a delta names are not part of it: they are UnixFS DAGs,
 * walked by replication.
 *
 * Blocks are read from the local store, which verified them when they arrived; a
 * block missing there (a payload the store never got) is skipped, not an error.
 */
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { throwIfAborted, type DeltaChunk } from '../quad-model/index.js'
import type { ClockNode } from './node.js'

/** Reads a block from the local store. */
export type LocalBlocks = (cid: CID) => Promise<Uint8Array | undefined>

export type CommitBlock =
  | { kind: 'node', cid: CID, bytes: Uint8Array, node: ClockNode, chunk: DeltaChunk | undefined }
  | { kind: 'payload', cid: CID, bytes: Uint8Array, chunk: DeltaChunk }

/**
 * The node `cid` (its `bytes` if the caller has them already), then its payload blocks.
 * A node with its delta inline carries it as `chunk`. Nothing when the node is not stored.
 */
export async function * commitBlocks (get: LocalBlocks, cid: CID, bytes?: Uint8Array, signal?: AbortSignal): AsyncGenerator<CommitBlock> {
  const own = bytes ?? await get(cid)
  if (own === undefined) return
  const node = dagCbor.decode(own) as ClockNode
  yield { kind: 'node', cid, bytes: own, node, chunk: node.delta }
  for (const p of node.payload ?? []) {
    throwIfAborted(signal)
    const payload = await get(p)
    if (payload !== undefined) yield { kind: 'payload', cid: p, bytes: payload, chunk: dagCbor.decode(payload) as DeltaChunk }
  }
}

/** The delta chunks of a stored commit, inline or from its payload blocks, in order. */
export async function commitChunks (get: LocalBlocks, cid: CID, signal?: AbortSignal): Promise<{ node: ClockNode, chunks: DeltaChunk[] } | undefined> {
  let node: ClockNode | undefined
  const chunks: DeltaChunk[] = []
  for await (const block of commitBlocks(get, cid, undefined, signal)) {
    if (block.kind === 'node') node = block.node
    if (block.chunk !== undefined) chunks.push(block.chunk)
  }
  return node === undefined ? undefined : { node, chunks }
}

/** Every commit block reachable from `heads` through parent links, each once: each node, then its payload. */
export async function * reachableBlocks (get: LocalBlocks, heads: CID[], signal?: AbortSignal): AsyncGenerator<CommitBlock> {
  const seen = new Set<string>()
  const stack = [...heads]
  while (stack.length > 0) {
    throwIfAborted(signal)
    const cid = stack.pop() as CID
    if (seen.has(cid.toString())) continue
    seen.add(cid.toString())
    for await (const block of commitBlocks(get, cid, undefined, signal)) {
      yield block
      if (block.kind === 'node') stack.push(...block.node.parents)
    }
  }
}
