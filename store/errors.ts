import { RhizomeError } from '../quad-model/index.js'

/** The database folder is held by another process. */
export class DatabaseLockedError extends RhizomeError {
  override name = 'DatabaseLockedError'
  constructor (readonly path: string, options?: ErrorOptions) {
    super('ERR_DATABASE_LOCKED', `the database in ${path} is in use by another process`, options)
  }
}

/** A call on a graph or store after close(). */
export class StoreClosedError extends RhizomeError {
  override name = 'StoreClosedError'
  constructor () {
    super('ERR_CLOSED', 'the database is closed')
  }
}

/** Files in the database folder that are not a Rhizome store, or a damaged one. */
export class CorruptStoreError extends RhizomeError {
  override name = 'CorruptStoreError'
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super('ERR_CORRUPT_STORE', `${path}: ${reason}`, options)
  }
}
