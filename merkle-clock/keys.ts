/**
 * Ed25519 identities. A replica signs with an Ed25519 key; a writer is named by its
 * public key as a did:key (https://w3c-ccg.github.io/did-method-key/): "did:key:z"
 * followed by base58btc of the multicodec ed25519-pub prefix (0xed 0x01) and the
 * 32-byte key. The same raw key serves libp2p peer IDs and IPNS records.
 *
 * Signing and verifying use Node's crypto (OpenSSL), which is audited and about
 * ten times faster than a pure-JS implementation; verification keys are cached
 * per writer since a database has few.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { base58btc } from 'multiformats/bases/base58'
import { InvalidKeyError } from './errors.js'

export interface KeyPair {
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  /** 32-byte Ed25519 private key seed. */
  privateKey: Uint8Array
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const ED25519_PUB = [0xed, 0x01]

export function generateKeyPair (): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length))
  return keyPairFromSeed(seed)
}

export function keyPairFromSeed (seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new InvalidKeyError('(seed)', 'an Ed25519 seed has 32 bytes')
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' })
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), privateKey: seed }
}

/** Signs with one key pair; holds the parsed key so signing costs only the signature. */
export class Signer {
  readonly publicKey: Uint8Array
  readonly id: string
  private readonly key: KeyObject

  constructor (keys: KeyPair) {
    this.publicKey = keys.publicKey
    this.id = writerId(keys.publicKey)
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, keys.privateKey]), format: 'der', type: 'pkcs8' })
  }

  sign (data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, data, this.key))
  }
}

const verifyKeys = new Map<string, KeyObject>()

/** True when `signature` is `publicKey`'s Ed25519 signature of `data`. */
export function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
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

/** The did:key naming a public key. */
export function writerId (publicKey: Uint8Array): string {
  const bytes = new Uint8Array(34)
  bytes.set(ED25519_PUB)
  bytes.set(publicKey, 2)
  return 'did:key:' + base58btc.encode(bytes)
}

/** The public key a did:key names. Throws InvalidKeyError for anything else. */
export function parseWriterId (id: string): Uint8Array {
  if (!id.startsWith('did:key:z')) throw new InvalidKeyError(id, 'expected did:key:z…')
  let bytes: Uint8Array
  try {
    bytes = base58btc.decode(id.slice('did:key:'.length))
  } catch {
    throw new InvalidKeyError(id, 'not base58btc')
  }
  if (bytes.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) {
    throw new InvalidKeyError(id, 'not an Ed25519 public key')
  }
  return bytes.slice(2)
}
