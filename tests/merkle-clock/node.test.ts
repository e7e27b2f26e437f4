/**
 * Commit nodes: createCommit encodes the unsigned node once, signs it, and splices the
 * signature in (withSignature) rather than encoding the whole node again. The bytes must be
 * exactly the generic DAG-CBOR encoding of the signed node, whatever its shape.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import {
  cidOf, createCommit, createManifest, DeltaBuilder, keyPairFromSeed, Signer, verifyNode, WriterSet, type ClockNode
} from '../../index.js'

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
