import { RhizomeError } from '../quad-model/index.js'

/** The database folder is held by another process. */
export class DatabaseLockedError extends RhizomeError {
  override name = 'DatabaseLockedError'
  constructor (readonly path: string, options?: ErrorOptions) {
    super('ERR_DATABASE_LOCKED', `the database in ${path} is in use by another process`, options)
  }
}

/** A write to a database opened read-only. */
export class ReadOnlyError extends RhizomeError {
  override name = 'ReadOnlyError'
  constructor (what: string, readonly path?: string) {
    super('ERR_READ_ONLY', `the database${path === undefined ? '' : ` in ${path}`} is open read-only: ${what} needs write access`)
  }
}

/** A read-only open of a folder whose last writer did not close (its commit log or WAL holds writes). */
export class NeedsRecoveryError extends RhizomeError {
  override name = 'NeedsRecoveryError'
  constructor (readonly path: string, what: string) {
    super('ERR_NEEDS_RECOVERY', `the database in ${path} was not closed cleanly (${what}); open it once without --read-only, with write access, to recover it`)
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

/**
 * The store failed to commit writes to its file (a full disk, an I/O error). Every
 * write reported done is kept in the commit log: reopening the database applies it.
 */
export class StoreWriteError extends RhizomeError {
  override name = 'StoreWriteError'
  constructor (readonly path: string, cause: Error) {
    super('ERR_STORE_WRITE', `${path}: the store could not write (${cause.message}); reopen it, no write reported done is lost`, { cause })
  }
}

/** The browser refused a write for lack of storage quota; the write's transaction left nothing. */
export class StorageQuotaError extends RhizomeError {
  override name = 'StorageQuotaError'
  constructor (readonly database: string, options?: ErrorOptions) {
    super('ERR_STORAGE_QUOTA', `IndexedDB "${database}": the origin's storage quota is used up; nothing of this write was kept (free space, or ask for more with navigator.storage.persist())`, options)
  }
}

/** identity.json cannot be read or is not an identity. */
export class IdentityFileError extends RhizomeError {
  override name = 'IdentityFileError'
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super('ERR_IDENTITY_FILE', `${path}: ${reason}`, options)
  }
}
