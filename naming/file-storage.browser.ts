/** The browser build keeps names in memory only (a graph's names live as long as the page). */
import { UnsupportedPlatformError } from '../quad-model/index.js'
import type { NameStorage } from './storage.js'

export function fileNameStorage (_folder: string): NameStorage {
  throw new UnsupportedPlatformError('names kept in a folder')
}
