/**
 * Availability (pinning) peers: a node that follows databases by address without being a
 * writer. It opens a replica of each (fetching the manifest from peers), keeps every block
 * catch-up brings, serves catch-up and bitswap, and re-announces heads, so a database stays
 * reachable while its writers are offline.
 */
import type { ReplicaGraph } from './graph.js'
import { Replicator, type ReplicatorOptions } from './replicator.js'
import type { BlockFetcher } from '../merkle-clock/index.js'

export interface PinOptions extends ReplicatorOptions {
  /** Opens (or creates) the local replica of a database; `fetch` gets its manifest from peers. */
  open: (address: string, fetch: BlockFetcher) => Promise<ReplicaGraph & { close: () => Promise<void> }>
}

export interface Pinner {
  replicator: Replicator
  graphs: Map<string, ReplicaGraph>
  /** Stops replicating and closes the replicas. */
  stop: () => Promise<void>
}

/** Starts a node that pins `addresses`: each is opened, followed and caught up from the peers. */
export async function pin (addresses: string[], options: PinOptions): Promise<Pinner> {
  const replicator = await Replicator.create(options)
  const graphs = new Map<string, ReplicaGraph & { close: () => Promise<void> }>()
  try {
    for (const address of addresses) {
      const graph = await options.open(address, replicator.manifestFetcher())
      graphs.set(address, graph)
      await replicator.follow(graph)
    }
  } catch (err) {
    await replicator.stop()
    await Promise.all([...graphs.values()].map(async g => await g.close()))
    throw err
  }
  return {
    replicator,
    graphs,
    stop: async () => {
      await replicator.stop()
      await Promise.all([...graphs.values()].map(async g => await g.close()))
    }
  }
}
