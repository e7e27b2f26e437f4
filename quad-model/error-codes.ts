/**
 * Every code a RhizomeError can carry, in one closed set the compiler checks: a new
 * condition is added here first, with the sentence a caller reads, and a misspelt code
 * anywhere else does not compile. Grouped by the layer that raises them, lowest first.
 * The sentences are the documentation; `docs/ERRORS.md` is not kept by hand.
 */
export const ERROR_CODES = {
  // quad-model: terms, deltas, formats, aborts
  ERR_ABORTED: "the operation stopped because its AbortSignal fired (Ctrl-C in the CLI: exit 130); the caller's signal, a timeout and shutdown all end here",
  ERR_INVALID_RDF: 'the input is not valid RDF (a malformed line, a bad IRI, a variable where a term belongs); nothing of it was committed',
  ERR_MALFORMED_BLOCK: 'a block or delta does not decode to the documented shape',
  ERR_QUAD_TOO_LARGE: 'a single quad is larger than one block may be',
  ERR_UNKNOWN_FORMAT: 'an RDF format name or file extension that Rhizome does not read or write',
  ERR_READ_INPUT: 'the input stream or file could not be read',
  ERR_INVALID_OPTIONS: 'options that cannot be given together (export: graph and union)',
  ERR_IMPORT: 'the import worker failed for a reason other than the input',
  ERR_REMOTE_CONTEXT: 'a JSON-LD document names a remote @context, which Rhizome never fetches (inline it, or pass it in `contexts`)',
  // merkle-clock: blocks, nodes, signatures, merges
  ERR_HASH_MISMATCH: 'a block does not hash to its CID',
  ERR_BLOCK_TOO_LARGE: 'a block is larger than the block limit',
  ERR_INVALID_NODE: 'a Merkle-clock node breaks a rule of the clock (links, height, fields)',
  ERR_BAD_SIGNATURE: 'a node is not signed by the writer it names',
  ERR_FOREIGN_WRITER: 'a node or write is by a key that is not a writer of the database',
  ERR_WRONG_DATABASE: 'a node belongs to another database',
  ERR_MISSING_BLOCK: 'a block could not be fetched',
  ERR_MERGE_LIMIT: 'a merge needs more new nodes than its limit',
  ERR_INVALID_KEY: 'a writer key is not a valid did:key',
  ERR_INVALID_CAR: 'a CAR file is not valid',
  ERR_INVALID_MNEMONIC: 'a recovery phrase is not 24 words of the BIP-39 English list with a valid checksum',
  // store: the materialized quad store and its folder
  ERR_DATABASE_LOCKED: 'the database folder is in use by another process (in a browser: the IndexedDB database is open in another tab)',
  ERR_CLOSED: 'the database is closed',
  ERR_READ_ONLY: 'the database was opened read-only (--read-only, or a folder this user cannot write): it answers queries and exports, and takes no writes',
  ERR_NEEDS_RECOVERY: 'the database was not closed cleanly and must be opened once with write access to recover, before a read-only open',
  ERR_CORRUPT_STORE: 'the store on disk is damaged or of an unknown schema',
  ERR_STORE_WRITE: 'the store could not write; no write reported done is lost',
  ERR_STORAGE_QUOTA: "the browser refused to store more: the origin's storage quota is used up; nothing of that write was kept",
  ERR_UNSUPPORTED_PLATFORM: 'the operation needs Node (a folder, a file, a worker thread) and this is the browser build',
  ERR_IDENTITY_FILE: 'the identity file cannot be read or is not an identity',
  // query: the SPARQL engine
  ERR_SPARQL_SYNTAX: 'the query or update is not valid SPARQL 1.1 (the message gives line and column)',
  ERR_SPARQL_UNSUPPORTED: 'a SPARQL feature Rhizome does not run',
  ERR_QUERY_TIMEOUT: 'the query ran past its time limit and was stopped',
  ERR_RESULT_LIMIT: 'the query produced more results than its limit',
  ERR_UPDATE_FAILED: 'an update could not be applied; nothing of it was committed',
  ERR_LOAD_FAILED: 'a LOAD could not read or parse its source',
  ERR_RESULTS_FORMAT: 'results cannot be written in the format asked for',
  ERR_SERVICE_FORBIDDEN: 'a SERVICE clause names an endpoint the caller has not allowed (federation is off unless endpoints are allowed)',
  ERR_SERVICE_FAILED: 'a SERVICE endpoint could not be reached, answered with an error, or sent results that are not valid or too large',
  ERR_QUERY_TOO_LARGE: 'a query or update is larger than a limit allows (its length, triple patterns or VALUES rows; docs/LIMITS.md names each and its option)',
  ERR_QUERY_TOO_DEEP: 'a query or update nests deeper than its maxDepth (brackets, operator chains, BIND chains); docs/LIMITS.md',
  ERR_LOAD_FORBIDDEN: 'LOAD of a local file that the caller did not allow (UpdateOptions.allowFiles, rhizome update --allow-file)',
  ERR_QUERY_INTERNAL: 'the engine failed on this input for a reason it does not name (a bug; the cause is attached), and nothing was committed',
  // graph: opening databases and writing
  ERR_NO_DATABASE: 'no database in the folder (or at the address) given',
  ERR_DATABASE_EXISTS: 'the folder already holds a database',
  ERR_DATABASE_MISMATCH: 'the folder holds another database than the one asked for',
  ERR_INVALID_CID: 'a string given as a head or address is not a CID',
  ERR_NOT_A_WRITER: "this replica's key is not a writer of the database, so it cannot write",
  // replication: peers and streams
  ERR_PROTOCOL: 'a peer broke the catch-up or announcement protocol',
  ERR_STREAM_ENDED: 'a catch-up stream ended before its end frame',
  ERR_PEER_BLOCKED: 'the peer is blocked for misbehaving',
  ERR_NO_PEERS: 'no connected peer serves the database',
  ERR_REPLICATOR_STOPPED: 'replication has stopped',
  ERR_INVALID_FILE_IRI: 'a file IRI is not ipfs://CID',
  ERR_SERVE_BUSY: 'this replica refused a catch-up request: serving it would pass the memory budget for all peers or for that peer (ReplicatorOptions.serveBudget); the peer retries later',
  ERR_SLOW_READER: 'a peer stopped reading a catch-up stream, or read it too slowly, past the stall deadline (ReplicatorOptions.stallTimeout); the stream was cut and the peer penalized',
  ERR_STAGING_FULL: 'blocks fetched over bitswap for the fallback passed the staging budget before they could be verified; none of them was kept',
  ERR_NOT_FOUND_ON_NETWORK: 'no connected peer sent the block or file asked for within the time allowed (--timeout in the CLI)',
  ERR_PEER_UNREACHABLE: 'a peer given by multiaddr could not be dialled within the time allowed',
  ERR_NETWORK_TIMEOUT: 'a network operation (a sync, a fetch) did not finish within its time limit (--timeout in the CLI)',
  // naming: IPNS names of documents' current roots
  ERR_INVALID_NAME: 'a string given as a name is not the IPNS name of an Ed25519 key (k51…, optionally after /ipns/)',
  ERR_INVALID_LABEL: 'a name label is empty, longer than 100 characters, or holds a control character',
  ERR_NAME_NOT_FOUND: 'no valid record for the name reached this replica within the time allowed (no connected peer held one)',
  ERR_RECORD_TOO_LARGE: 'an IPNS record is larger than 10 KiB; it was refused before it was parsed',
  ERR_RECORD_INVALID: 'an IPNS record does not decode, or its fields disagree with each other',
  ERR_RECORD_V1_ONLY: 'an IPNS record has only the legacy V1 signature; Rhizome, like the IPNS specification now, takes only V2-signed records',
  ERR_RECORD_SIGNATURE: "an IPNS record is not signed by the name's key (forged, or altered after signing)",
  ERR_RECORD_EXPIRED: "an IPNS record's validity has passed",
  ERR_RECORD_REPLAYED: 'an IPNS record is older than the one held for its name (a lower sequence, or the same sequence valid for less long): a replay',
  ERR_NAME_NOT_FOLLOWED: 'a record was offered (PUT /routing/v1/ipns/) for a name this replica neither publishes nor follows; it keeps records only of its own names and those it follows (rhizome pin --name)',
  ERR_TOO_MANY_NAMES: 'a replica keeps records for at most 10,000 names (published and followed together); a record of a new name beyond that is refused',
  ERR_INVALID_ROOT: "a name's record does not point at a Rhizome root (/ipfs/ and a DAG-CBOR block naming a database and its heads)",
  // http: the SPARQL endpoint (each answered with its HTTP status, http/errors.ts)
  ERR_HTTP_BAD_REQUEST: 'a malformed request: a bad query or update, parameter or body (400)',
  ERR_HTTP_UNAUTHORIZED: 'the request lacks the bearer token the endpoint requires (401)',
  ERR_HTTP_FORBIDDEN: 'the endpoint does not allow this operation, such as an update without --allow-update (403)',
  ERR_HTTP_NOT_FOUND: 'no such path or graph (404)',
  ERR_HTTP_METHOD: 'the method is not allowed on this path (405)',
  ERR_HTTP_NOT_ACCEPTABLE: 'no format the client accepts fits the result (406)',
  ERR_HTTP_TOO_LARGE: 'the request body is larger than the limit (413)',
  ERR_HTTP_MEDIA_TYPE: 'the request body has a media type the endpoint does not read (415)',
  ERR_HTTP_BUSY: 'the endpoint runs as many queries as it may; retry later (503)',
  ERR_PORT_IN_USE: 'another process listens on the port asked for',
  ERR_UNSAFE_SERVER: 'server options that are unsafe together, such as updates on a public address without a token',
  // cli
  ERR_INPUT_FILE: 'a file named on the command line cannot be read',
  ERR_LIVE_CHANNEL: 'the channel to the rhizome serve or pin that holds the database failed, or was sent a request it does not take'
} as const

/** A RhizomeError's code: one of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES
