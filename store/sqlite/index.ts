/**
 * The SQLite backend's room: the on-disk default store (backend.ts) and the pieces it
 * is built of, each in a file named for what it holds. Outside this folder, only what
 * is exported here is used.
 */
export { SqliteBackend, type SqliteBackendOptions } from './backend.js'
export { SQLITE_STORE_FILE, DEFAULT_GRAPH_ID, sqliteStoreExists } from './schema.js'
export { CommitLog, COMMIT_LOG_FILE, type LoggedCommit } from './commit-log.js'
export { LOCK_FILE } from './lock.js'
