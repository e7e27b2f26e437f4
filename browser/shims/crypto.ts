/**
 * node:crypto in the browser build: the calls Rhizome's shared modules make (a block's
 * sha2-256, random bytes for nonces and blank node labels, SPARQL's hash functions and
 * UUIDs), with @noble/hashes (synchronous, unlike WebCrypto's digest) and
 * crypto.getRandomValues. Anything else is not there, so the build fails to link it.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { md5, sha1 } from '@noble/hashes/legacy.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'

const HASHES: Record<string, (data: Uint8Array) => Uint8Array> = { sha256, sha384, sha512, md5, sha1 }

function hasher (algorithm: string): (data: Uint8Array) => Uint8Array {
  const fn = HASHES[algorithm.toLowerCase().replace('-', '')]
  if (fn === undefined) throw new Error(`hash algorithm ${algorithm} is not in the browser build`)
  return fn
}

export function hash (algorithm: string, data: Uint8Array): Uint8Array {
  return hasher(algorithm)(data)
}

export function createHash (algorithm: string): { update: (data: string | Uint8Array) => { digest: (encoding: 'hex') => string } } {
  const fn = hasher(algorithm)
  return {
    update: data => ({ digest: () => bytesToHex(fn(typeof data === 'string' ? utf8ToBytes(data) : data)) })
  }
}

export function randomBytes (n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

export function randomUUID (): string {
  return globalThis.crypto.randomUUID()
}
