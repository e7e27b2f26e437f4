import type { CID } from 'multiformats/cid'
import type { BlockFetcher, Commit, Manifest } from '../merkle-clock/index.js'
import type { Backend } from '../store/index.js'

/**
 * What replication reads of a replica's store, and its one write besides commits:
 * blocks it has verified that are not commits (file blocks, the manifest). Commits
 * reach the store only through the graph (`applyVerified`, `merge`), which checks
 * them against the clock first. A subset of the store's Backend, named here so this
 * layer states what it relies on.
 */
export type ReplicaStore = Pick<Backend, 'getBlock' | 'hasBlock' | 'putBlocks' | 'node' | 'heads' | 'log' | 'nodeCount'>

/**
 * What replication needs of a replica (the Graph of graph/ provides it). Declared here
 * so this layer depends on the core's modules, never on the composition root.
 */
export interface ReplicaGraph extends EventTarget {
  readonly address: string
  readonly addressCid: CID
  readonly manifest: Manifest
  /** The replica's store, read-mostly (see ReplicaStore). */
  readonly store: ReplicaStore
  heads: (options?: { signal?: AbortSignal }) => Promise<CID[]>
  /** Applies commits that passed verifyNode/verifyPayload; checks parents, heights, database and writer; all or nothing. */
  applyVerified: (commits: Commit[], options?: { signal?: AbortSignal }) => Promise<{ applied: number, heads: CID[] }>
  /** Verifies and applies what is reachable from `heads` through `fetch`. */
  merge: (heads: CID[], options: { fetch: BlockFetcher, signal?: AbortSignal }) => Promise<{ applied: number, heads: CID[] }>
}
