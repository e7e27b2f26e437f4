/**
 * Ed25519 in the browser build: @noble/curves (audited, pure JavaScript), with the
 * same calls as ed25519.ts. WebCrypto's Ed25519 would be faster but is asynchronous,
 * and signing sits inside the synchronous commit path.
 */
import { ed25519 } from '@noble/curves/ed25519.js'

/** The seed itself: noble signs from it directly. */
export type SigningKey = Uint8Array

export function ed25519Seed (): Uint8Array {
  return ed25519.utils.randomSecretKey()
}

export function ed25519SigningKey (seed: Uint8Array): SigningKey {
  return seed
}

export function ed25519PublicKey (seed: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(seed)
}

export function ed25519Sign (key: SigningKey, data: Uint8Array): Uint8Array {
  return ed25519.sign(data, key)
}

export function ed25519Verify (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    // zip215: false is RFC 8032's strict rule, as OpenSSL checks it: Node and browser replicas accept the same signatures.
    return ed25519.verify(signature, data, publicKey, { zip215: false })
  } catch {
    return false
  }
}
