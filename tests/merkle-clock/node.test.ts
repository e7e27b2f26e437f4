/**
 * Commit nodes: createCommit encodes the unsigned node once, signs it, and splices the
 * signature in (withSignature) rather than encoding the whole node again. The bytes must be
 * exactly the generic DAG-CBOR encoding of the signed node, whatever its shape.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { MultihashDigest } from 'multiformats'
import { keyPairFromSeed } from '../../index.js'
import { cidOf, createCommit, createManifest, Signer, verifyNode, WriterSet, type ClockNode } from '../../merkle-clock/index.js'
import { DeltaBuilder } from '../../quad-model/index.js'

const keys = keyPairFromSeed(new Uint8Array(32).fill(7))
const signer = new Signer(keys)
const manifest = createManifest({ name: 'node encoding', writers: [keys.publicKey], open: false, created: 0 })

describe('createCommit', () => {
  it('gives exactly the generic encoding of the signed node, for random parents, deltas and times', () => {
    // Whole characters (one or two UTF-16 units): a lone surrogate is not a storable term.
    const term = fc.array(fc.constantFrom('a', 'b', 'z', 'é', '€', '😀'), { maxLength: 12 }).map(cs => 'http://ex/' + cs.join(''))
    fc.assert(fc.property(
      fc.array(fc.tuple(term, term, term), { minLength: 0, maxLength: 12 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 2 ** 52 }),
      fc.integer({ min: 0, max: 3_000 }),
      (quads, parentCount, time, padding) => {
        const parents = Array.from({ length: parentCount }, (_, i) => {
          const block = { cid: cidOf(dagCbor.encode({ parent: i, time })), height: 1 + (i * 7) % 13 }
          return block
        })
        const delta = new DeltaBuilder()
        for (const [s, p, o] of quads) delta.add(s, p, `"${o}${'x'.repeat(padding)}"`, '')
        const commit = createCommit({ db: manifest.cid, parents, chunks: delta.build(), signer, time })
        const { sig, ...unsigned } = commit.node.value
        expect(Buffer.from(commit.node.bytes).toString('hex')).toBe(Buffer.from(dagCbor.encode({ ...unsigned, sig })).toString('hex'))
        expect(commit.node.cid.equals(cidOf(commit.node.bytes))).toBe(true)
        const verified = verifyNode(commit.node.cid, commit.node.bytes, manifest.cid, new WriterSet(manifest.value))
        expect((verified.value as ClockNode).height).toBe(commit.node.value.height)
      }
    ), { seed: 20261121, numRuns: 150 })
  })

  it('splices the signature into a node whose delta went to payload blocks', () => {
    const delta = new DeltaBuilder()
    for (let i = 0; i < 4_000; i++) delta.add(`http://ex/s${i}`, 'http://ex/p', `"${'y'.repeat(200)}${i}"`, '')
    const commit = createCommit({ db: manifest.cid, parents: [], chunks: delta.build(), signer })
    expect(commit.node.value.payload!.length).toBeGreaterThan(1)
    const { sig, ...unsigned } = commit.node.value
    expect(Buffer.from(commit.node.bytes).toString('hex')).toBe(Buffer.from(dagCbor.encode({ ...unsigned, sig })).toString('hex'))
  })
})

describe('file links', () => {
  const file = (n: number): string => 'ipfs://' + CID.createV1(0x55, sha256.digest(new TextEncoder().encode(`file ${n}`)) as MultihashDigest<0x12>).toString()

  it('links the files that added quads name, sorted and distinct, and encodes them like the generic encoder', () => {
    const delta = new DeltaBuilder()
    delta.add('http://ex/a', 'http://ex/attachment', file(2), '')
    delta.add('http://ex/b', 'http://ex/attachment', file(1), '')
    delta.add('http://ex/c', 'http://ex/attachment', file(2), '')
    delta.add('http://ex/d', 'http://ex/see', 'ipfs://not-a-cid', '')
    const commit = createCommit({ db: manifest.cid, parents: [], chunks: delta.build(), signer })
    const files = commit.node.value.files!.map(String)
    expect(files).toHaveLength(2)
    expect(files.map(f => 'ipfs://' + f).sort()).toEqual([file(1), file(2)].sort())
    const { sig, ...unsigned } = commit.node.value
    expect(Buffer.from(commit.node.bytes).toString('hex')).toBe(Buffer.from(dagCbor.encode({ ...unsigned, sig })).toString('hex'))
    // A generic IPLD walk of the node sees them as links.
    const links = [...(dagCbor.decode(commit.node.bytes) as { files: CID[] }).files].map(String)
    expect(links).toEqual(files)
    verifyNode(commit.node.cid, commit.node.bytes, manifest.cid, new WriterSet(manifest.value))
  })

  it('adds no field when no added quad names a file', () => {
    const delta = new DeltaBuilder()
    delta.add('http://ex/a', 'http://ex/p', '"ipfs://text, not a link"', '')
    expect(createCommit({ db: manifest.cid, parents: [], chunks: delta.build(), signer }).node.value.files).toBeUndefined()
  })

  it('rejects nodes whose files are unsorted, repeated or not file blocks', () => {
    const writers = new WriterSet(manifest.value)
    const cids = [1, 2].map(n => CID.parse(file(n).slice('ipfs://'.length))).sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    for (const files of [[cids[1], cids[0]], [cids[0], cids[0]], [manifest.cid], []]) {
      const unsigned = { v: 1, db: manifest.cid, parents: [], height: 1, author: keys.publicKey, time: 0, delta: { t: [], a: [], r: [], c: [] }, files }
      const bytes = dagCbor.encode({ ...unsigned, sig: signer.sign(dagCbor.encode(unsigned)) })
      expect(() => verifyNode(cidOf(bytes), bytes, manifest.cid, writers)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_NODE' }))
    }
  })
})
