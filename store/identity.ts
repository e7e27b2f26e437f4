/**
 * The replica's key pair, kept in its data folder as `identity.json` with
 * owner-only permissions (0600, in a 0700 folder). Created on first use; written to
 * a temporary file and renamed, so a crash never leaves half a key.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, keyPairFromSeed, writerId, type KeyPair } from '../merkle-clock/index.js'
import { IdentityFileError } from './errors.js'

export const IDENTITY_FILE = 'identity.json'

export { IdentityFileError }

interface IdentityJson {
  id: string
  privateKey: string
}

/** The folder's identity, or undefined when it has none (identity.json missing). */
export function loadIdentity (folder: string): KeyPair | undefined {
  const path = join(folder, IDENTITY_FILE)
  let text: string | undefined
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IdentityFileError(path, (err as Error).message, { cause: err })
  }
  if (text !== undefined) {
    try {
      const json = JSON.parse(text) as IdentityJson
      const keys = keyPairFromSeed(new Uint8Array(Buffer.from(json.privateKey, 'base64')))
      if (writerId(keys.publicKey) !== json.id) throw new Error('the public key does not match the private key')
      return keys
    } catch (err) {
      throw new IdentityFileError(path, `not a valid identity file (${(err as Error).message})`, { cause: err })
    }
  }
  return undefined
}

/** The folder's identity, made (and kept in identity.json, mode 0600) when it has none. */
export function loadOrCreateIdentity (folder: string): KeyPair {
  const found = loadIdentity(folder)
  if (found !== undefined) return found
  const keys = generateKeyPair()
  writeIdentity(folder, keys)
  return keys
}

/**
 * Keeps `keys` as the folder's identity (a restored one). A folder that already holds
 * another identity is refused (IdentityFileError): its key would be lost.
 */
export function saveIdentity (folder: string, keys: KeyPair): void {
  const found = loadIdentity(folder)
  if (found !== undefined) {
    if (writerId(found.publicKey) === writerId(keys.publicKey)) return
    throw new IdentityFileError(join(folder, IDENTITY_FILE), `already holds another identity (${writerId(found.publicKey)}); move it away first, or restore into another folder`)
  }
  writeIdentity(folder, keys)
}

function writeIdentity (folder: string, keys: KeyPair): void {
  const path = join(folder, IDENTITY_FILE)
  mkdirSync(folder, { recursive: true, mode: 0o700 })
  const json: IdentityJson = { id: writerId(keys.publicKey), privateKey: Buffer.from(keys.privateKey).toString('base64') }
  const temp = path + '.tmp'
  writeFileSync(temp, JSON.stringify(json, null, 2) + '\n', { mode: 0o600 })
  chmodSync(temp, 0o600)
  renameSync(temp, path)
}
