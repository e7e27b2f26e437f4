/**
 * Ed25519 identities. A replica signs with an Ed25519 key; a writer is named by its
 * public key as a did:key (https://w3c-ccg.github.io/did-method-key/): "did:key:z"
 * followed by base58btc of the multicodec ed25519-pub prefix (0xed 0x01) and the
 * 32-byte key. The same raw key serves libp2p peer IDs and IPNS records.
 *
 * The curve arithmetic is in ed25519.ts (Node's OpenSSL) or, in the browser build,
 * ed25519.browser.ts (@noble/curves).
 */
import { base58btc } from 'multiformats/bases/base58'
import { ed25519PublicKey, ed25519Seed, ed25519SigningKey, ed25519Sign, ed25519Verify, type SigningKey } from './ed25519.js'
import { InvalidKeyError } from './errors.js'

export interface KeyPair {
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array
  /** 32-byte Ed25519 private key seed. */
  privateKey: Uint8Array
}

const ED25519_PUB = [0xed, 0x01]

export function generateKeyPair (): KeyPair {
  return keyPairFromSeed(ed25519Seed())
}

export function keyPairFromSeed (seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new InvalidKeyError('(seed)', 'an Ed25519 seed has 32 bytes')
  return { publicKey: ed25519PublicKey(seed), privateKey: seed }
}

/** Signs with one key pair; holds the parsed key so signing costs only the signature. */
export class Signer {
  readonly publicKey: Uint8Array
  readonly id: string
  private readonly key: SigningKey

  constructor (keys: KeyPair) {
    this.publicKey = keys.publicKey
    this.id = writerId(keys.publicKey)
    this.key = ed25519SigningKey(keys.privateKey)
  }

  sign (data: Uint8Array): Uint8Array {
    return ed25519Sign(this.key, data)
  }
}

/** True when `signature` is `publicKey`'s Ed25519 signature of `data`. */
export function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  return ed25519Verify(publicKey, data, signature)
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
