/**
 * Ed25519 through Node's crypto (OpenSSL), which is audited and about ten times
 * faster than a pure-JS implementation. Verification keys are cached per writer,
 * since a database has few. The browser build uses ed25519.browser.ts instead.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** A parsed private key, ready to sign. */
export type SigningKey = KeyObject

export function ed25519Seed (): Uint8Array {
  const { privateKey } = generateKeyPairSync('ed25519')
  return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length))
}

export function ed25519SigningKey (seed: Uint8Array): SigningKey {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

export function ed25519PublicKey (seed: Uint8Array): Uint8Array {
  const spki = createPublicKey(ed25519SigningKey(seed)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length))
}

export function ed25519Sign (key: SigningKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, key))
}

const verifyKeys = new Map<string, KeyObject>()

export function ed25519Verify (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  const cacheKey = Buffer.from(publicKey).toString('base64')
  let key = verifyKeys.get(cacheKey)
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    } catch {
      return false
    }
    if (verifyKeys.size > 1024) verifyKeys.clear()
    verifyKeys.set(cacheKey, key)
  }
  return verify(null, data, key, signature)
}
