/**
 * identity.ts in the browser build: there is no folder to keep identity.json in. The
 * browser entry (browser/index.ts) keeps a replica's key in its IndexedDB database.
 */
import { UnsupportedPlatformError } from '../quad-model/index.js'
import type { KeyPair } from '../merkle-clock/index.js'
import { IdentityFileError } from './errors.js'

export { IdentityFileError }
export const IDENTITY_FILE = 'identity.json'

export function loadOrCreateIdentity (folder: string): KeyPair {
  throw new UnsupportedPlatformError(`the identity file in ${folder}`)
}

export function loadIdentity (folder: string): KeyPair | undefined {
  throw new UnsupportedPlatformError(`the identity file in ${folder}`)
}

export function saveIdentity (folder: string, _keys: KeyPair): void {
  throw new UnsupportedPlatformError(`the identity file in ${folder}`)
}
