import type { CID } from 'multiformats/cid'
import { RhizomeError } from '../quad-model/index.js'

/** A block whose bytes do not hash to the CID it was asked for. */
export class HashMismatchError extends RhizomeError {
  override name = 'HashMismatchError'
  constructor (readonly cid: CID) {
    super('ERR_HASH_MISMATCH', `block ${cid} does not hash to its CID`)
  }
}

/** A block larger than the block limit. */
export class BlockTooLargeError extends RhizomeError {
  override name = 'BlockTooLargeError'
  constructor (readonly cid: CID | undefined, readonly bytes: number, readonly limit: number) {
    super('ERR_BLOCK_TOO_LARGE', `block ${cid ?? ''} of ${bytes} bytes exceeds the ${limit}-byte limit`.replace('  ', ' '))
  }
}

/** A block that is not a well-formed commit node, manifest or delta chunk. */
export class InvalidNodeError extends RhizomeError {
  override name = 'InvalidNodeError'
  constructor (readonly cid: CID | undefined, reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_NODE', cid === undefined ? reason : `node ${cid}: ${reason}`, options)
  }
}

export class BadSignatureError extends RhizomeError {
  override name = 'BadSignatureError'
  constructor (readonly cid: CID, options?: ErrorOptions) {
    super('ERR_BAD_SIGNATURE', `node ${cid} is not signed by its author`, options)
  }
}

/** A node signed by a key that is not among the database's writers. */
export class ForeignWriterError extends RhizomeError {
  override name = 'ForeignWriterError'
  constructor (readonly cid: CID | undefined, readonly writer: string) {
    super('ERR_FOREIGN_WRITER', `${cid === undefined ? 'a write' : `node ${cid}`} is by ${writer}, who is not a writer of this database`)
  }
}

/** A node made for another database (replayed across databases). */
export class WrongDatabaseError extends RhizomeError {
  override name = 'WrongDatabaseError'
  constructor (readonly cid: CID, readonly expected: CID, readonly actual: CID) {
    super('ERR_WRONG_DATABASE', `node ${cid} belongs to database ${actual}, not ${expected}`)
  }
}

/** A block that could not be fetched: a missing parent, payload or head. */
export class MissingBlockError extends RhizomeError {
  override name = 'MissingBlockError'
  constructor (readonly cid: CID, options?: ErrorOptions) {
    super('ERR_MISSING_BLOCK', `block ${cid} could not be fetched`, options)
  }
}

/** A merge that would exceed its configured bound on nodes. */
export class MergeLimitError extends RhizomeError {
  override name = 'MergeLimitError'
  constructor (readonly limit: number) {
    super('ERR_MERGE_LIMIT', `the merge needs more than ${limit} new nodes`)
  }
}

/** A writer key in a form Rhizome does not read. */
export class InvalidKeyError extends RhizomeError {
  override name = 'InvalidKeyError'
  constructor (readonly key: string, reason: string) {
    super('ERR_INVALID_KEY', `"${key}" is not a writer key: ${reason}`)
  }
}
