/**
 * Rhizome's public API: what a dapp, the command line and the HTTP endpoint use.
 *
 * `openGraph` opens (or creates) a database replica, a `Graph`; `createReplicator`
 * starts replication without a graph (to clone or pin). Around them: the RDF/JS term
 * factory and formats, SPARQL result writers, the error classes (every error is a
 * RhizomeError with a `code` from ERROR_CODES), and the identity and CAR helpers the
 * command line needs. The layers below are not part of this surface; their modules
 * are reachable, for those who build on them, as the subpath exports `rhizome/store`,
 * `rhizome/merkle-clock`, `rhizome/quad-model`, `rhizome/query` and `rhizome/replication`.
 */
import type { Replicator, ReplicatorOptions } from './replication/index.js'

// The graph: one replica of one database.
export {
  Graph, openGraph, DatabaseExistsError, DatabaseMismatchError, DatabaseNotFoundError, InvalidCidError, ReadOnlyReplicaError,
  type ChangeDetail, type CommitResult, type CreateOptions, type ImportOptions, type ExportOptions, type ImportResult, type LogEntry,
  type OpenGraphOptions, type QuadChangeInput
} from './graph/index.js'

// RDF/JS terms, RDF syntaxes, errors and aborts.
export {
  factory, type RDF, parseRdf, serializeRdf, rdfFormat, formatOfPath, type RdfFormat, type RdfInput,
  RhizomeError, ERROR_CODES, type ErrorCode, type AbortOptions, withTimeout, AbortedError, InvalidRdfError, MalformedBlockError,
  QuadTooLargeError, UnknownFormatError, InputReadError, RemoteContextError, WRITABLE_FORMATS, COMMON_PREFIXES, usedPrefixes, isGzip
} from './quad-model/index.js'

// Writers, blocks, CAR files: what names and moves a database.
export {
  generateKeyPair, keyPairFromSeed, writerId, parseWriterId, type KeyPair, isCid, decodeVerified,
  readCar, writeCar, manifestRoot, InvalidCarError, type CarSource, type BlockFetcher,
  HashMismatchError, BlockTooLargeError, InvalidNodeError, BadSignatureError, ForeignWriterError, WrongDatabaseError,
  MissingBlockError, MergeLimitError, InvalidKeyError, identityToMnemonic, identityFromMnemonic, InvalidMnemonicError
} from './merkle-clock/index.js'

// The store's conditions and a replica's identity file.
export {
  loadOrCreateIdentity, loadIdentity, saveIdentity, IdentityFileError, DatabaseLockedError, ReadOnlyError, NeedsRecoveryError, StoreClosedError, CorruptStoreError, StoreWriteError,
  type Backend
} from './store/index.js'

// SPARQL: options, results, their writers and the engine's errors.
export {
  parseSparql, writeResultsJson, writeResultsXml, writeResultsCsv, writeResultsTsv, writeQuads, termToNTriples, solutionToRecord,
  QueryError, SparqlSyntaxError, SparqlUnsupportedError, QueryAbortedError, QueryTimeoutError,
  ResultLimitError, UpdateError, LoadError, ResultsFormatError, ServiceForbiddenError, ServiceFailedError,
  QueryTooLargeError, QueryTooDeepError, LoadForbiddenError, QueryInternalError, DEFAULT_QUERY_LIMITS, type QueryLimits,
  type FederationOptions, type QueryOptions, type QueryResult, type BindingsResult, type BooleanResult, type QuadsResult, type Solution,
  type UpdateOptions, type UpdateSummary, type DocumentLoader, type QueryErrorCode, type TextPosition
} from './query/index.js'
export type { RdfFormat as ResultsRdfFormat } from './query/index.js'

// Names: IPNS names of databases' current roots (graph.publish, graph.resolve, openGraph({ ipns })).
// Their modules, codes and error classes are in rhizome/naming (loaded on first use).
export { resolveName, followNames, normalizeName, type FollowNamesOptions, type NameRecords, type ServedRecord, type PublishedName, type ResolvedName, type NamePublishOptions, type NameResolveOptions } from './graph/index.js'
export type { HeldName } from './naming/index.js'

// Replication, loaded only when used.
export type { Replicator, ReplicatorOptions, ReplicaGraph, ReplicaStore, FileInput, RedialFailure } from './replication/index.js'
// (Replication's own error classes are in rhizome/replication; importing them here would
// load libp2p with the package. Branch on their codes: ERR_NO_PEERS, ERR_PEER_BLOCKED, ….)

/**
 * Starts a replicator that follows no graph yet: to clone a database from peers
 * (`openGraph({ address, fetch: replicator.manifestFetcher() })`, then
 * `replicator.follow(graph)` and `replicator.sync()`), or to pin several databases.
 * Loads libp2p only when called.
 */
export async function createReplicator (options: ReplicatorOptions = {}): Promise<Replicator> {
  const { Replicator } = await import('./replication/index.js')
  return await Replicator.create(options)
}
