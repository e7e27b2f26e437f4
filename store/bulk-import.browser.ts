/**
 * bulk-import.ts in the browser build: no worker threads, so every import takes the
 * ordinary commit path (one `apply`, one IndexedDB transaction).
 */
import { UnsupportedPlatformError } from '../quad-model/index.js'
import type { Backend } from './backend.js'

export interface BulkImportOptions { signal?: AbortSignal }

export function canImportInWorker (_backend: Backend): boolean {
  return false
}

export async function bulkImport (): Promise<never> {
  throw new UnsupportedPlatformError('an import on a worker thread')
}
