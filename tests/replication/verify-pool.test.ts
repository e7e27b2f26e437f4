/**
 * The verification pool on real worker threads (it runs the compiled worker, so this test
 * imports the built package from dist/, as `npm test` builds it first): good nodes verify,
 * and a node that fails in a worker is rejected with the core's own error.
 */
import { describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../../dist/replication/verify-pool.js', import.meta.url))

describe('verification pool', () => {
  it('verifies on worker threads and raises the core errors', async () => {
    expect(existsSync(built), 'dist/ is built by `npm test` (tsc) before vitest').toBe(true)
    const core = await import('../../dist/index.js')
    const { VerifierPool } = await import('../../dist/replication/verify-pool.js')
    const { createManifest, createCommit, encodeDelta, encodeBlock, generateKeyPair, Signer, WriterSet, quadKeys, factory } = core
    const writer = generateKeyPair()
    const stranger = generateKeyPair()
    const manifest = createManifest({ writers: [writer.publicKey] })
    let n = 0
    // each commit adds a different quad, so no two share a CID
    const commit = (keys: typeof writer): any => createCommit({
      db: manifest.cid,
      parents: [],
      chunks: encodeDelta([quadKeys(factory.quad(factory.namedNode('http://example.org/s'), factory.namedNode('http://example.org/p'), factory.literal(String(n++))))], []),
      signer: new Signer(keys)
    })
    const pool = new VerifierPool(2)
    try {
      const verifier = pool.forDatabase(manifest.cid, manifest.bytes, new WriterSet(manifest.value))
      const good = Array.from({ length: 100 }, () => commit(writer))
      const verified = await Promise.all(good.map(async (c: any) => await verifier.verify(c.node.cid, c.node.bytes)))
      expect(verified.every((b: any, i: number) => b.cid.equals(good[i].node.cid) && b.value.height === 1)).toBe(true)
      const foreign = commit(stranger)
      await expect(verifier.verify(foreign.node.cid, foreign.node.bytes)).rejects.toMatchObject({ code: 'ERR_FOREIGN_WRITER' })
      const value = { ...good[0].node.value, sig: new Uint8Array(64) }
      const forged = encodeBlock(value)
      await expect(verifier.verify(forged.cid, forged.bytes)).rejects.toMatchObject({ code: 'ERR_BAD_SIGNATURE' })
      await expect(verifier.verify(good[1].node.cid, good[2].node.bytes)).rejects.toMatchObject({ code: 'ERR_HASH_MISMATCH' })
    } finally {
      await pool.close()
    }
  })
})
