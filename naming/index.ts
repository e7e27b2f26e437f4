/**
 * Names: key-derived IPNS names that point at the current roots of databases.
 *
 * A name's key is derived from the replica's identity and a label (derive.ts); its name
 * is the key's IPNS name, `k51…` (name.ts). A record (records.ts, made and checked by the
 * `ipns` package, V2 only) points at `/ipfs/<root>`, a DAG-CBOR block naming the database
 * and its heads (root.ts). A NameBook (book.ts) holds the newest valid record of each name
 * a replica publishes or follows, in a folder (file-storage.ts) or in memory (storage.ts).
 * Moving records between peers (IPNS over PubSub, libp2p Fetch) is replication's
 * (replication/names.ts); the HTTP routing API is http/'s.
 *
 * Invariant: a record is kept only after it passed the checks, and only when it is newer
 * (the `ipns` selector: sequence, then validity) than the one held.
 */
export { deriveNameKeys, checkLabel, NAME_DERIVATION_SALT, MAX_LABEL_LENGTH } from './derive.js'
export { parseName, nameOfPublicKey, nameOfRoutingKey, nameOfTopic, nameSigner, PUBSUB_PREFIX, type IpnsName } from './name.js'
export { checkRecord, makeRecord, isNewer, assertNotOlder, rootOfValue, MAX_RECORD_BYTES, DEFAULT_LIFETIME_MS, MAX_LIFETIME_MS, DEFAULT_TTL_MS, type CheckedRecord } from './records.js'
export { encodeRoot, decodeRoot, MAX_ROOT_HEADS, type NameRoot } from './root.js'
export { NameBook, MAX_NAMES, type HeldName, type PublishOptions } from './book.js'
export { memoryNameStorage, type NameStorage, type NameState } from './storage.js'
export { fileNameStorage } from './file-storage.js'
export * from './errors.js'
