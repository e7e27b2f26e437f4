/**
 * The IndexedDB backend's room: Rhizome's persistent store in a browser (backend.ts),
 * its layout (schema.ts), the OR-Set's index over prefetched records
 * (or-set-index.ts), snapshot readers (snapshots.ts) and the one-tab lock (lock.ts).
 * Outside this folder, only what is exported here is used.
 */
export { IndexedDbBackend, type IndexedDbBackendOptions } from './backend.js'
export { SCHEMA_VERSION as INDEXEDDB_SCHEMA_VERSION } from './schema.js'
