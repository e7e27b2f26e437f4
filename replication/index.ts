/**
 * Replication over libp2p: replicas of a database find each other, announce their heads
 * over gossipsub, and fetch what they lack in one round trip with Rhizome's catch-up
 * protocol; bitswap serves the same blocks to any IPFS node, and availability peers pin
 * databases they do not write to. The browser build runs the same code over WebSockets
 * (transports.browser.ts, verify-pool.browser.ts in place of their Node siblings).
 *
 * Invariant: nothing from the network is applied before the core has verified it (hash,
 * shape, database, writer, authenticity, parents, height), however it arrived, so a closed
 * database never takes a non-writer's delta. Announcements are hints only.
 * Cost: one topic and one catch-up stream per database and peer; a fresh replica reads
 * the whole DAG (compaction would bound that), checking one signature per writer per
 * batch: a writer's newer commit authenticates its older ones (merkle-clock's authenticate).
 */
export { Replicator, type ReplicatorOptions } from './replicator.js'
export { NameService, type NameServiceOptions, type ResolveOptions } from './names.js'
export { pin, type PinOptions } from './pinning.js'
export type { RedialFailure } from './redial.js'
export type { ReplicaGraph, ReplicaStore } from './graph.js'
export { BackendBlockstore } from './blockstore.js'
export { addFile, catFile, fileCid, filesNamedIn, FILE_IRI_PREFIX, type FileInput } from './files.js'
export { CATCHUP_PROTOCOL, topicOf } from './wire.js'
export * from './errors.js'
