/**
 * The SQLite room in the browser build: there is no SQLite and no folder, so opening
 * one fails with ERR_UNSUPPORTED_PLATFORM (open an IndexedDbBackend instead).
 */
import { UnsupportedPlatformError } from '../../quad-model/index.js'

export const SQLITE_STORE_FILE = 'store.sqlite'
export const COMMIT_LOG_FILE = 'commits.log'
export const LOCK_FILE = 'lock.sqlite'
export const DEFAULT_GRAPH_ID = 1

export const SqliteBackend = {
  open: async (options: { path: string }): Promise<never> => { throw new UnsupportedPlatformError(`the SQLite store in ${options.path}`) }
}

export const CommitLog = {
  open: (): never => { throw new UnsupportedPlatformError('the commit log') }
}

export function sqliteStoreExists (_path: string): boolean {
  return false
}
