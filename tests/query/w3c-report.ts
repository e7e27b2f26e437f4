/**
 * Developer tool: `npx tsx tests/query/w3c-report.ts [substring]` runs the W3C
 * suites outside vitest and prints every failure with its reason.
 */
import { entryManifests, collectTests } from './w3c-entry.js'
import { runTestCase } from './w3c-runner.js'

const filter = process.argv[2] ?? ''
const tests = collectTests(entryManifests).filter(t => t.iri.includes(filter) || t.directory.includes(filter))
let pass = 0; let fail = 0; let skip = 0
for (const t of tests) {
  const o = await runTestCase(t)
  if (o.status === 'pass') pass++
  else if (o.status === 'skip') skip++
  else { fail++; console.log(`FAIL ${t.iri}\n     ${o.reason.slice(0, 400)}`) }
}
console.log(`pass ${pass} fail ${fail} skip ${skip}`)
