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

/**
 * The y-coordinates of Ed25519's eight small-order points, as encoded with the sign
 * bit cleared, canonical and not (y = p, p + 1): libsodium's blocklist. OpenSSL accepts
 * a signature by such a key (a small-order key with R = identity and S = 0 verifies
 * any message) and @noble/curves' strict mode does not, so a Node replica and a
 * browser replica would disagree on which commits are authentic; both reject them
 * here first. No honest key or signature has one: A = [a]B and R = [r]B have order L.
 */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
].map(hex => Uint8Array.from(hex.match(/../g)!, byte => parseInt(byte, 16)))

/** Whether 32 bytes encode a small-order point (or a non-canonical encoding of one). */
export function isSmallOrderPoint (bytes: Uint8Array): boolean {
  return SMALL_ORDER.some(point => {
    for (let i = 0; i < 31; i++) if (bytes[i] !== point[i]) return false
    return (bytes[31] & 0x7f) === point[31]
  })
}

/** True when `signature` is `publicKey`'s Ed25519 signature of `data`. */
export function verifySignature (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  if (isSmallOrderPoint(publicKey) || isSmallOrderPoint(signature.subarray(0, 32))) return false
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
