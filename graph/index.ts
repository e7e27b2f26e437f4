/**
 * The graph layer: the composition root. A Graph (graph.ts) is one replica of one
 * database, built by openGraph (open.ts); its write path is writes.ts.
 */
export { Graph, SMALL_IMPORT_BYTES, type ImportOptions } from './graph.js'
export type { ExportOptions } from './export.js'
export { openGraph, type CreateOptions, type OpenGraphOptions } from './open.js'
export { DatabaseExistsError, DatabaseMismatchError, DatabaseNotFoundError, InvalidCidError, ReadOnlyReplicaError } from './errors.js'
export type { ChangeDetail, CommitResult, ImportResult, LogEntry, QuadChangeInput } from './types.js'
export { resolveName, followNames, normalizeName, type FollowNamesOptions, type NameRecords, type ServedRecord, type NamePublishOptions, type NameResolveOptions, type PublishedName, type ResolvedName } from './names.js'
