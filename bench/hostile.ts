/**
 * Hostile-query benchmark (issue 10, defects 4 and 5): how long each input that once
 * crashed or stalled the engine now takes to end, and how it ends (an answer or a
 * coded error). Over an empty MemorySource, each under a 2 s `timeoutMs`, after one
 * warm-up query so that loading the engine is not counted. docs/LIMITS.md quotes it.
 * `npm run bench:hostile`
 */
import { MemorySource, executeQuery, type QueryOptions } from '../query/index.js'

const chain = (n: number, item: (i: number) => string, sep: string): string => Array.from({ length: n }, (_, i) => item(i)).join(sep)
const XSD_INTEGER = '<http://www.w3.org/2001/XMLSchema#integer>'

const CASES: Array<[string, string]> = [
  ['nested aggregate', 'SELECT (COUNT(COUNT(*)) AS ?c) {}'],
  ['xsd:integer of 400 digits', `SELECT (${XSD_INTEGER}("${'9'.repeat(400)}") AS ?x) {}`],
  ['&& chain of 5,000', `SELECT * { FILTER(${chain(5000, () => 'true', ' && ')}) }`],
  ['5,000 nested CONCATs', `SELECT (${'CONCAT('.repeat(5000)}"a"${')'.repeat(5000)} AS ?x) {}`],
  ['5,000 nested groups', `SELECT * ${'{'.repeat(5000)}${'}'.repeat(5000)}`],
  ['1+1+… of 5,000', `SELECT ((${chain(5000, () => '1', '+')}) AS ?x) {}`],
  ['2,000 BINDs', `SELECT * { ${chain(2000, i => `BIND(${i} AS ?v${i})`, ' ')} }`],
  ['REGEX (a*)*b, 30 chars', `SELECT * { FILTER(REGEX("${'a'.repeat(30)}", "(a*)*b")) }`],
  ['BGP of 1,000 patterns', `SELECT * { ${chain(1000, i => `?s${i} <http://e/p> ?s${i + 1} .`, ' ')} }`],
  ['BGP of 4,000 patterns', `SELECT * { ${chain(4000, i => `?s${i} <http://e/p> ?s${i + 1} .`, ' ')} }`],
  ['BGP of 8,000 patterns', `SELECT * { ${chain(8000, i => `?s${i} <http://e/p> ?s${i + 1} .`, ' ')} }`],
  ['VALUES of 100,000 rows', `SELECT * { VALUES ?x { ${chain(100_000, i => String(i), ' ')} } }`]
]

async function outcome (source: MemorySource, text: string, options: QueryOptions): Promise<string> {
  try {
    const r = await executeQuery(source, text, options)
    let n = 0
    if (r.type === 'boolean') return `answer ${String(r.value)}`
    for await (const _ of r) n++
    return `${n} results`
  } catch (e) {
    const err = e as { code?: string, limit?: string, name?: string }
    return err.code === undefined ? `UNCODED ${err.name ?? typeof e}` : `${err.code}${err.limit === undefined ? '' : ` (${err.limit})`}`
  }
}

const source = new MemorySource()
await outcome(source, 'SELECT * { ?s ?p ?o FILTER(REGEX(STR(?o), "x")) }', {})
console.log('case'.padEnd(28), 'ms'.padStart(7), ' outcome')
for (const [name, text] of CASES) {
  const start = performance.now()
  const result = await outcome(source, text, { timeoutMs: 2000 })
  console.log(name.padEnd(28), (performance.now() - start).toFixed(0).padStart(7), ' ' + result)
}
