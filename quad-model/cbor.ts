/**
 * Writes DAG-CBOR straight into one buffer, for the two shapes Rhizome encodes on its
 * hot paths: delta chunks (delta.ts) and commit nodes (merkle-clock). The generic
 * encoder (@ipld/dag-cbor) makes a token object for every value; these take a fraction
 * of its time, and tests hold both users' bytes to its output. The caller sizes the
 * buffer by an upper bound and writes map keys in DAG-CBOR order itself.
 */
import type { CID } from 'multiformats/cid'

export class CborWriter {
  readonly out: Uint8Array
  at = 0

  constructor (size: number) {
    this.out = new Uint8Array(size)
  }

  /** A head: major type and argument, in the shortest form, as DAG-CBOR requires. */
  head (major: number, n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${n} cannot be written as a CBOR argument here`)
    const out = this.out
    const m = major << 5
    if (n < 24) out[this.at++] = m | n
    else if (n < 0x100) { out[this.at++] = m | 24; out[this.at++] = n } else if (n < 0x10000) { out[this.at++] = m | 25; out[this.at++] = n >>> 8; out[this.at++] = n & 0xff } else if (n < 0x100000000) { out[this.at++] = m | 26; this.uint32(n) } else { out[this.at++] = m | 27; this.uint32(Math.floor(n / 0x100000000)); this.uint32(n >>> 0) }
  }

  private uint32 (n: number): void {
    const out = this.out
    out[this.at++] = n >>> 24; out[this.at++] = (n >>> 16) & 0xff; out[this.at++] = (n >>> 8) & 0xff; out[this.at++] = n & 0xff
  }

  raw (bytes: Uint8Array): void {
    this.out.set(bytes, this.at)
    this.at += bytes.length
  }

  /** A byte string. */
  bytes (bytes: Uint8Array): void {
    this.head(2, bytes.length)
    this.raw(bytes)
  }

  /** A map key of ASCII letters. */
  key (name: string): void {
    this.out[this.at++] = 0x60 | name.length
    for (let i = 0; i < name.length; i++) this.out[this.at++] = name.charCodeAt(i)
  }

  /** A CID: tag 42 over its bytes behind a zero byte. */
  cid (cid: CID): void {
    this.out[this.at++] = 0xd8; this.out[this.at++] = 42
    this.head(2, cid.bytes.length + 1)
    this.out[this.at++] = 0
    this.raw(cid.bytes)
  }

  /** What was written, in a buffer of its own. */
  done (): Uint8Array {
    return this.out.slice(0, this.at)
  }
}

/** The length of the head for argument `n`, at most 2^32 - 1. */
export function headBytes (n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5
}
