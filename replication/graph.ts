import type { CID } from 'multiformats/cid'
import type { BlockFetcher, Commit, Manifest } from '../merkle-clock/index.js'
import type { Backend } from '../store/index.js'

/**
 * What replication needs of a replica (the Graph of index.ts provides it). Declared here
 * so this layer depends on the core's modules, never on the composition root.
 */
export interface ReplicaGraph extends EventTarget {
  readonly address: string
  readonly addressCid: CID
  readonly manifest: Manifest
  readonly backend: Backend
  heads: (options?: { signal?: AbortSignal }) => Promise<CID[]>
  /** Applies commits that passed verifyNode/verifyPayload; checks parents, heights, database and writer; all or nothing. */
  applyVerified: (commits: Commit[], options?: { signal?: AbortSignal }) => Promise<{ applied: number, heads: CID[] }>
  /** Verifies and applies what is reachable from `heads` through `fetch`. */
  merge: (heads: CID[], options: { fetch: BlockFetcher, signal?: AbortSignal }) => Promise<{ applied: number, heads: CID[] }>
}
