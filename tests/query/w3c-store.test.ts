/**
 * The W3C query evaluation tests over the store itself (an in-memory graph:
 * StoreQuadSource, its id access and the memory backend) rather than a
 * MemorySource, so the store's ids, batched lookups and estimates meet every
 * operator the suites exercise. The known failures are the engine's own
 * (w3c-known-failures.ts): none is particular to the store.
 */
import { describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { collectTests } from './w3c-entry.js'
import { runTestCase } from './w3c-runner.js'
import { knownFailures } from './w3c-known-failures.js'
import { suiteRoot } from './w3c-suite.js'

// The suites are data beside the repository (../shared/w3c-sparql). A checkout without
// them skips these tests, with this reason; in CI (CI=true) their absence is a failure.
const available = existsSync(suiteRoot)
const tests = available ? collectTests().filter(t => t.type === 'mf:QueryEvaluationTest' || t.type === 'mf:CSVResultFormatTest') : []

describe.skipIf(!available)('W3C query evaluation over the store', () => {
  for (const t of tests) {
    it(`${t.directory} ${t.name}`, async () => {
      const outcome = await runTestCase(t, { store: true })
      const known = knownFailures[t.iri]
      if (outcome.status !== 'fail') {
        if (outcome.status === 'pass') expect(known, `listed as a known failure but passes: ${t.iri}`).toBeUndefined()
        return
      }
      if (known === undefined) expect.fail(`${t.iri}: ${outcome.reason}`)
    })
  }
})
