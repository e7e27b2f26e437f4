/**
 * The W3C SPARQL 1.1 Protocol (34), Graph Store Protocol (13) and Service Description
 * (3) tests against the real endpoint (w3c-http.ts). Each test that applies must pass;
 * those that do not are listed as skipped with their reason in the title.
 */
import { describe, expect, it } from 'vitest'
import { BASE, loadManifest } from '../query/w3c-suite.js'
import { runHttpTest, serviceDescriptionTests, skipReason } from './w3c-http.js'

const MANIFESTS = [
  'sparql/sparql11/protocol/manifest.ttl',
  'sparql/sparql11/graph-store-protocol/manifest.ttl',
  'sparql/sparql11/service-description/manifest.ttl'
]

for (const manifest of MANIFESTS) {
  const tests = manifest.includes('service-description') ? serviceDescriptionTests() : loadManifest(BASE + manifest)
  describe(manifest, () => {
    it('lists its tests', () => { expect(tests.length).toBeGreaterThan(2) })
    for (const t of tests) {
      const skip = skipReason(t)
      if (skip !== undefined) {
        it.skip(`${t.name} (does not apply: ${skip})`, () => {})
        continue
      }
      it(t.name, async () => {
        const outcome = await runHttpTest(t)
        expect(outcome.status === 'fail' ? outcome.reason : 'pass').toBe('pass')
      })
    }
  })
}
