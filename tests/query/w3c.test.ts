/**
 * W3C SPARQL conformance: SPARQL 1.0 (data-r2) and SPARQL 1.1 (query, update,
 * syntax, results formats) from ../shared/w3c-sparql. Every test must pass, be
 * out of scope with a written reason (runner), or be listed with a reason in
 * w3c-known-failures.ts; a listed test that passes fails the run.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { collectTests } from './w3c-entry.js'
import { runTestCase } from './w3c-runner.js'
import { knownFailures } from './w3c-known-failures.js'
import { suiteRoot } from './w3c-suite.js'

// The suites are data beside the repository (../shared/w3c-sparql). A checkout without
// them skips these tests, with this reason; in CI (CI=true) their absence is a failure.
const available = existsSync(suiteRoot)
const tests = available ? collectTests() : []
const stats = new Map<string, { pass: number, fail: number, known: number, skip: number }>()

function count (key: string, field: 'pass' | 'fail' | 'known' | 'skip'): void {
  let s = stats.get(key)
  if (s === undefined) stats.set(key, s = { pass: 0, fail: 0, known: 0, skip: 0 })
  s[field]++
}

describe.runIf(process.env.CI === 'true')('W3C suites in CI', () => {
  it(`finds the suites at ${suiteRoot}`, () => { expect(available).toBe(true) })
})

describe.skipIf(!available)('W3C SPARQL test suites', () => {
  for (const t of tests) {
    const dir = t.directory
    it(`${dir} ${t.name} <${t.iri}>`, async () => {
      const outcome = await runTestCase(t)
      const known = knownFailures[t.iri]
      if (outcome.status === 'skip') { count(dir, 'skip'); return }
      if (outcome.status === 'pass') {
        count(dir, 'pass')
        expect(known, `listed as a known failure but passes: ${t.iri}`).toBeUndefined()
        return
      }
      if (known !== undefined) { count(dir, 'known'); return }
      count(dir, 'fail')
      expect.fail(`${t.iri}: ${outcome.reason}`)
    })
  }

  it('lists no known failure that is not a test', () => {
    const iris = new Set(tests.map(t => t.iri))
    expect(Object.keys(knownFailures).filter(k => !iris.has(k))).toEqual([])
  })

  afterAll(() => {
    const lines: string[] = []
    const total = { pass: 0, fail: 0, known: 0, skip: 0 }
    for (const [dir, s] of [...stats].sort(([a], [b]) => a < b ? -1 : 1)) {
      lines.push(`${dir.padEnd(40)} passed ${String(s.pass).padStart(4)}  failed ${s.fail}  known ${s.known}  skipped ${s.skip}`)
      total.pass += s.pass; total.fail += s.fail; total.known += s.known; total.skip += s.skip
    }
    lines.push(`TOTAL passed ${total.pass}  failed ${total.fail}  known failures ${total.known}  skipped ${total.skip}`)
    console.log(lines.join('\n'))
  })
})
