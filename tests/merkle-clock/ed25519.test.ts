/**
 * The two Ed25519 implementations (merkle-clock/ed25519.ts on OpenSSL for Node,
 * ed25519.browser.ts on @noble/curves for the browser build) must be one function:
 * a replica in a page and one in Node derive the same keys, make the same
 * (deterministic) signatures and accept exactly the same signatures, or they would
 * disagree on which commits are authentic. Also the browser build's node:crypto shim
 * against Node's own hashes.
 */
import { createHash as nodeCreateHash, hash as nodeHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as openssl from '../../merkle-clock/ed25519.js'
import * as noble from '../../merkle-clock/ed25519.browser.js'
import * as shim from '../../browser/shims/crypto.js'
import { isSmallOrderPoint, verifySignature } from '../../merkle-clock/keys.js'
import { ed25519 } from '@noble/curves/ed25519.js'

/** Deterministic bytes from a seed (xorshift32). */
function bytes (seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed || 1
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff }
  return out
}

/** The group order L, little-endian, for a signature whose S is not reduced. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n
function addL (signature: Uint8Array): Uint8Array {
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i])
  s += L
  const out = Uint8Array.from(signature)
  for (let i = 32; i < 64; i++) { out[i] = Number(s & 0xffn); s >>= 8n }
  return out
}

describe('Ed25519 in Node and in the browser build', () => {
  it('derive the same keys and the same signatures, and verify each other', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const secret = bytes(seed, 32)
      const data = bytes(seed + 1000, seed * 7)
      const publicKey = openssl.ed25519PublicKey(secret)
      expect(noble.ed25519PublicKey(secret)).toEqual(publicKey)
      const signature = openssl.ed25519Sign(openssl.ed25519SigningKey(secret), data)
      expect(noble.ed25519Sign(noble.ed25519SigningKey(secret), data)).toEqual(signature)
      expect(noble.ed25519Verify(publicKey, data, signature)).toBe(true)
      expect(openssl.ed25519Verify(publicKey, data, signature)).toBe(true)
    }
  })

  it('reject the same bad signatures: altered data, altered bytes, S not reduced', () => {
    const secret = bytes(7, 32)
    const data = bytes(8, 100)
    const publicKey = openssl.ed25519PublicKey(secret)
    const signature = openssl.ed25519Sign(openssl.ed25519SigningKey(secret), data)
    const cases: Array<[string, Uint8Array, Uint8Array, Uint8Array]> = [
      ['altered data', publicKey, Uint8Array.from(data, (b, i) => i === 0 ? b ^ 1 : b), signature],
      ['altered R', publicKey, data, Uint8Array.from(signature, (b, i) => i === 3 ? b ^ 4 : b)],
      ['altered S', publicKey, data, Uint8Array.from(signature, (b, i) => i === 40 ? b ^ 4 : b)],
      ['S + L', publicKey, data, addL(signature)]
    ]
    for (const [name, key, message, sig] of cases) {
      expect([name, noble.ed25519Verify(key, message, sig)]).toEqual([name, openssl.ed25519Verify(key, message, sig)])
      expect([name, openssl.ed25519Verify(key, message, sig)]).toEqual([name, false])
    }
  })
})

describe('small-order points', () => {
  const identity = new Uint8Array(32); identity[0] = 1
  const forgery = Uint8Array.from([...identity, ...new Uint8Array(32)])

  it('OpenSSL and noble disagree on a small-order key (why verifySignature rejects them first)', () => {
    const data = bytes(9, 50)
    expect(openssl.ed25519Verify(identity, data, forgery)).toBe(true)
    expect(noble.ed25519Verify(identity, data, forgery)).toBe(false)
    expect(verifySignature(identity, data, forgery)).toBe(false)
  })

  it('the blocklist is exactly the small-order encodings, with either sign bit', () => {
    const torsion = ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
    let point = ed25519.Point.ZERO
    for (let i = 0; i < 8; i++) {
      const encoded = point.toBytes()
      expect(isSmallOrderPoint(encoded)).toBe(true)
      expect(isSmallOrderPoint(Uint8Array.from(encoded, (b, k) => k === 31 ? b ^ 0x80 : b))).toBe(true)
      point = point.add(torsion)
    }
    for (let seed = 1; seed <= 50; seed++) expect(isSmallOrderPoint(openssl.ed25519PublicKey(bytes(seed, 32)))).toBe(false)
  })
})

describe("the browser build's node:crypto", () => {
  it('hashes as Node does', () => {
    const data = bytes(3, 1000)
    expect(shim.hash('sha256', data)).toEqual(new Uint8Array(nodeHash('sha256', data, 'buffer')))
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha384', 'sha512']) {
      expect([algorithm, shim.createHash(algorithm).update('héllo wörld').digest('hex')]).toEqual([algorithm, nodeCreateHash(algorithm).update('héllo wörld', 'utf8').digest('hex')])
    }
    expect(shim.randomBytes(70_000).length).toBe(70_000)
  })
})
