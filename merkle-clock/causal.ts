/**
 * The causal rule of a batch of nodes, checked in one place for both ways nodes
 * arrive: a merge (merge.ts, after its walk) and catch-up (the Graph's applyVerified,
 * whose nodes were verified on worker threads as they streamed in).
 *
 * For each node, in the batch's order: it belongs to this database, its author is a
 * writer, every parent is applied here or comes earlier in the batch, and its height
 * is 1 + the highest parent height. Heights thus grow strictly along parent links, so
 * a batch that passes is in causal order and applies parents first.
 *
 * Cost: one `heightOf` per parent not in the batch (a store lookup).
 */
import type { CID } from 'multiformats/cid'
import { throwIfAborted } from '../quad-model/index.js'
import type { Block } from './block.js'
import { cidKey } from './block.js'
import { ForeignWriterError, InvalidNodeError, MissingBlockError, WrongDatabaseError } from './errors.js'
import { writerId } from './keys.js'
import type { WriterSet } from './manifest.js'
import type { ClockNode } from './node.js'

export interface CausalCheckOptions {
  db: CID
  writers: WriterSet
  /** The height of a node applied here, or undefined when it is not. */
  heightOf: (cid: CID) => Promise<number | undefined> | number | undefined
  signal?: AbortSignal
}

/** Throws the first broken rule of `nodes` (in order), or returns when the batch may be applied as it is. */
export async function checkCausalBatch (nodes: Iterable<Block<ClockNode>>, options: CausalCheckOptions): Promise<void> {
  const heights = new Map<string, number>()
  for (const { cid, value } of nodes) {
    throwIfAborted(options.signal)
    if (!value.db.equals(options.db)) throw new WrongDatabaseError(cid, options.db, value.db)
    if (!options.writers.allows(value.author)) throw new ForeignWriterError(cid, writerId(value.author))
    let highest = 0
    for (const parent of value.parents) {
      const height = heights.get(cidKey(parent)) ?? await options.heightOf(parent)
      if (height === undefined) throw new MissingBlockError(parent)
      highest = Math.max(highest, height)
    }
    if (value.height !== highest + 1) throw new InvalidNodeError(cid, `height ${value.height} is not 1 + the highest parent height ${highest}`)
    heights.set(cidKey(cid), value.height)
  }
}
