/**
 * The folder lock: `lock.sqlite` in the database folder, held in an exclusive
 * transaction for the life of the process, so a second process gets
 * DatabaseLockedError instead of sharing the store. The OS drops it when the process
 * dies, so a crash never leaves a stale lock behind.
 */
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import { DatabaseLockedError } from '../errors.js'

export const LOCK_FILE = 'lock.sqlite'

/** Takes the folder's lock; close the connection returned to let it go. */
export function lockFolder (Sqlite: typeof DatabaseSync, path: string): DatabaseSync {
  const lock = new Sqlite(join(path, LOCK_FILE), { timeout: 0 } as object)
  try {
    lock.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;')
  } catch (err) {
    lock.close()
    if (isBusy(err)) throw new DatabaseLockedError(path, { cause: err })
    throw err
  }
  return lock
}

/**
 * For a read-only open: a shared lock on the folder (a read transaction on
 * `lock.sqlite`, opened read-only), held for the life of the connection. A writer
 * holding the folder makes it fail with DatabaseLockedError; while it is held, no
 * writer can take the folder, so the store file cannot change under the reader.
 */
export function shareFolder (Sqlite: typeof DatabaseSync, path: string): DatabaseSync {
  let lock: DatabaseSync | undefined
  try {
    lock = new Sqlite(join(path, LOCK_FILE), { readOnly: true, timeout: 0 } as object)
    lock.exec('BEGIN')
    lock.prepare('SELECT count(*) FROM sqlite_master').get()
  } catch (err) {
    lock?.close()
    if (isBusy(err)) throw new DatabaseLockedError(path, { cause: err })
    throw err
  }
  return lock
}

function isBusy (err: unknown): boolean {
  const e = err as { errcode?: number, message?: string }
  return e.errcode === 5 || e.errcode === 6 || /database is locked|SQLITE_BUSY/i.test(e.message ?? '')
}
