/** The entry manifests the conformance run covers, and the de-duplicated test list. */
import { BASE, type TestCase, loadManifest } from './w3c-suite.js'

export const entryManifests: Array<{ suite: string, iri: string }> = [
  { suite: 'sparql10', iri: BASE + 'sparql/sparql10/manifest.ttl' },
  { suite: 'sparql11', iri: BASE + 'sparql/sparql11/manifest-all.ttl' }
]

export function collectTests (entries = entryManifests): Array<TestCase & { suite: string }> {
  const out: Array<TestCase & { suite: string }> = []
  const seen = new Set<string>()
  for (const { suite, iri } of entries) {
    for (const t of loadManifest(iri)) {
      const key = t.iri + ' ' + t.manifest
      if (seen.has(key)) continue
      seen.add(key)
      out.push({ ...t, suite })
    }
  }
  return out
}
