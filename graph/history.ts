/**
 * A replica's history as others read it: the commit log, newest first, and the CAR
 * file that carries the database (manifest, then every commit's blocks). Both read the
 * commits through merkle-clock's one walk over a commit's blocks (walk.ts).
 */
import type { CID } from 'multiformats/cid'
import { countChanges, throwIfAborted, type AbortOptions } from '../quad-model/index.js'
import { commitChunks, reachableBlocks, writeCar, writerId } from '../merkle-clock/index.js'
import type { Backend } from '../store/index.js'
import type { LogEntry } from './types.js'

/** Commits, newest first, in this replica's apply order: `limit` of them (default 100), older than `before`. */
export async function logOf (backend: Backend, options: { limit?: number, before?: number } & AbortOptions): Promise<LogEntry[]> {
  const limit = options.limit === undefined ? 100 : Math.min(options.limit, Number.MAX_SAFE_INTEGER)
  const records = await backend.log({ limit, before: options.before })
  const get = async (cid: CID): Promise<Uint8Array | undefined> => await backend.getBlock(cid)
  const entries: LogEntry[] = []
  for (const r of records) {
    throwIfAborted(options.signal)
    const commit = await commitChunks(get, r.cid, options.signal)
    if (commit === undefined) continue
    const { node } = commit
    entries.push({ cid: r.cid, seq: r.seq, author: writerId(node.author), time: node.time, height: node.height, ...countChanges(commit.chunks), parents: node.parents })
  }
  return entries
}

/** A CAR of the database: roots the manifest, then the heads; blocks the manifest, then each commit's. */
export function carOf (backend: Backend, address: CID, heads: () => Promise<CID[]>, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  const get = async (cid: CID): Promise<Uint8Array | undefined> => await backend.getBlock(cid)
  return {
    async * [Symbol.asyncIterator] () {
      const roots = await heads()
      async function * blocks (): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
        const manifest = await get(address)
        if (manifest !== undefined) yield { cid: address, bytes: manifest }
        yield * reachableBlocks(get, roots, signal)
      }
      yield * writeCar([address, ...roots], blocks())
    }
  }
}
