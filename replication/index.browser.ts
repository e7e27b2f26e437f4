/**
 * Replication in the browser build, for now: libp2p's Node transports (TCP, mDNS) and
 * the worker-thread verification pool are not in it, so starting replication fails
 * with ERR_UNSUPPORTED_PLATFORM. Graphs in a browser still merge from any BlockFetcher
 * (a CAR file, another graph). Browser replication (WebSockets to a Node replica) is
 * issue 12's next part.
 */
import { UnsupportedPlatformError } from '../quad-model/index.js'

const unsupported = async (): Promise<never> => { throw new UnsupportedPlatformError('replication') }

export const Replicator = { create: unsupported }
export const addFile = unsupported
export const catFile = unsupported
export class BackendBlockstore {
  constructor () { throw new UnsupportedPlatformError('the file blockstore') }
}
