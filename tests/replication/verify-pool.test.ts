/**
 * The signature pool on real worker threads (it runs the compiled worker, so this test
 * imports the built package from dist/, as `npm test` builds it first): each node's own
 * signature is judged on a worker exactly as the core's `signatureHolds` judges it.
 */
import { describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../../dist/replication/verify-pool.js', import.meta.url))

describe('signature pool', () => {
  it('checks signatures on worker threads', async () => {
    expect(existsSync(built), 'dist/ is built by `npm test` (tsc) before vitest').toBe(true)
    const { VerifierPool, inlineChecker } = await import('../../dist/replication/verify-pool.js')
    const { createManifest, createCommit, encodeBlock, generateKeyPair, Signer, signatureHolds } = await import('../../dist/merkle-clock/index.js')
    const { encodeDelta, quadKeys, factory } = await import('../../dist/quad-model/index.js')
    const writer = generateKeyPair()
    const manifest = createManifest({ writers: [writer.publicKey] })
    let n = 0
    // each commit adds a different quad, so no two share a CID
    const commit = (): any => createCommit({
      db: manifest.cid,
      parents: [],
      chunks: encodeDelta([quadKeys(factory.quad(factory.namedNode('http://example.org/s'), factory.namedNode('http://example.org/p'), factory.literal(String(n++))))], []),
      signer: new Signer(writer)
    }).node
    const pool = new VerifierPool(2)
    try {
      const checker = pool.checker()
      expect(checker).not.toBe(inlineChecker)
      const nodes = Array.from({ length: 100 }, () => commit())
      // every third one forged: the same node with its signature spoiled
      const mixed = nodes.map((node: any, i: number) => i % 3 === 0 ? encodeBlock({ ...node.value, sig: new Uint8Array(64) }) : node)
      const verdicts = await checker.check(mixed)
      expect(verdicts).toEqual(mixed.map((node: any) => signatureHolds(node.value)))
      expect(verdicts.filter((ok: boolean) => !ok).length).toBe(34)
      expect(await inlineChecker.check(mixed)).toEqual(verdicts)
      // a call of a few nodes is checked inline, with the same verdicts
      expect(await checker.check(mixed.slice(0, 3))).toEqual(verdicts.slice(0, 3))
    } finally {
      await pool.close()
    }
  })
})
