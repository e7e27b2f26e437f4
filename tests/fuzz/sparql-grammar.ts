/**
 * SPARQL built from a small grammar, so that inputs are valid often enough to reach
 * the evaluator: expressions with every kind of operand (huge integers, regexes that
 * backtrack), aggregates nested in aggregates, long operator chains and deep nesting
 * of calls, groups and BINDs (the shapes of issue 10's crashes).
 */
import fc from 'fast-check'

const XSD = 'http://www.w3.org/2001/XMLSchema#'

const atom = fc.oneof(
  fc.constantFrom('?s', '?p', '?o', '?x', '1', '-7', '2.5', '1e308', '"abc"', '"a"@en', 'true', '<http://e/a>', `"${'a'.repeat(30)}"`),
  fc.integer({ min: 300, max: 500 }).map(n => '9'.repeat(n)),
  fc.integer({ min: 300, max: 500 }).map(n => `<${XSD}integer>("${'9'.repeat(n)}")`),
  fc.constantFrom('"(a*)*b"', '"(a|aa)+$"', '"^(\\\\w+\\\\s?)*$"', '"(a)\\\\1"', '"["', '"a{2,1}"').map(p => `REGEX("${'a'.repeat(40)}", ${p})`)
)

const BINARY = [' && ', ' || ', ' + ', ' - ', ' * ', ' / ', ' = ', ' != ', ' < ', ' >= ']
const CALLS = ['STR', 'CONCAT', 'UCASE', 'ABS', 'STRLEN', 'COALESCE', 'isLiteral', `<${XSD}integer>`, `<${XSD}decimal>`, `<${XSD}double>`]
const AGGREGATES = ['COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'SAMPLE', 'GROUP_CONCAT']

const { expr } = fc.letrec<{ expr: string }>(tie => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('expr'), fc.constantFrom(...BINARY), tie('expr')).map(([a, op, b]) => `(${a}${op}${b})`),
    fc.tuple(fc.constantFrom(...CALLS), tie('expr')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('REPLACE', 'REGEX'), tie('expr'), fc.constantFrom('"(a*)*b"', '"a"', '"(.)"'), fc.constantFrom('"$1"', '"\\\\$"', '"x"')).map(([f, a, p, r]) => f === 'REPLACE' ? `REPLACE(STR(${a}), ${p}, ${r})` : `REGEX(STR(${a}), ${p})`),
    // Long chains and deep nesting.
    fc.tuple(fc.constantFrom(...BINARY), fc.integer({ min: 2, max: 6000 }), atom).map(([op, n, a]) => `(${Array<string>(n).fill(a).join(op)})`),
    fc.tuple(fc.constantFrom(...CALLS), fc.integer({ min: 2, max: 6000 }), atom).map(([f, n, a]) => `${`${f}(`.repeat(n)}${a}${')'.repeat(n)}`)
  )
}))

const aggregate = fc.oneof(
  fc.tuple(fc.constantFrom(...AGGREGATES), expr).map(([f, e]) => `${f}(${e})`),
  fc.tuple(fc.constantFrom(...AGGREGATES), fc.constantFrom(...AGGREGATES), expr).map(([f, g, e]) => `${f}(${g}(${e}))`),
  fc.constant('COUNT(COUNT(*))')
)

const group = (inner: string, n: number): string => `${'{ '.repeat(n)}${inner}${' }'.repeat(n)}`

/** Whole queries from the grammar. */
export const generatedQuery: fc.Arbitrary<string> = fc.oneof(
  expr.map(e => `SELECT (${e} AS ?r) { ?s ?p ?o }`),
  expr.map(e => `SELECT * { ?s ?p ?o FILTER(${e}) }`),
  fc.tuple(aggregate, fc.boolean()).map(([a, grouped]) => `SELECT (${a} AS ?r) { ?s ?p ?o }${grouped ? ' GROUP BY ?s' : ''}`),
  fc.tuple(fc.integer({ min: 1, max: 4000 }), expr).map(([n, e]) => `SELECT * { ?s ?p ?o ${Array.from({ length: n }, (_, i) => `BIND(${i === 0 ? e : `?b${i - 1}`} AS ?b${i})`).join(' ')} }`),
  fc.integer({ min: 1, max: 12_000 }).map(n => `SELECT * ${group('?s ?p ?o', n)}`),
  fc.integer({ min: 1, max: 10_000 }).map(n => `SELECT * { ${Array.from({ length: n }, (_, i) => `?v${i} <http://e/p> ?v${i + 1} .`).join(' ')} }`),
  fc.integer({ min: 1, max: 30_000 }).map(n => `SELECT * { VALUES ?x { ${Array.from({ length: n }, (_, i) => i).join(' ')} } ?x ?p ?o }`),
  fc.integer({ min: 1, max: 3000 }).map(n => `SELECT * { ?s ?p ?o ${'OPTIONAL { ?s ?p ?o '.repeat(n)}${'}'.repeat(n)} }`)
)

/** Updates from the grammar: the query shapes as WHERE clauses, and big INSERT DATA. */
export const generatedUpdate: fc.Arbitrary<string> = fc.oneof(
  expr.map(e => `INSERT { ?s <http://e/r> ?r } WHERE { ?s ?p ?o BIND(${e} AS ?r) }`),
  fc.integer({ min: 1, max: 4000 }).map(n => `INSERT { ?s <http://e/r> ?b${n - 1} } WHERE { ?s ?p ?o ${Array.from({ length: n }, (_, i) => `BIND(${i} AS ?b${i})`).join(' ')} }`),
  fc.integer({ min: 1, max: 3000 }).map(n => `INSERT DATA { ${Array.from({ length: n }, (_, i) => `<http://e/s${i}> <http://e/p> ${i} .`).join(' ')} }`),
  fc.integer({ min: 1, max: 5000 }).map(n => `INSERT DATA { <http://e/s> <http://e/p> ${'('.repeat(n)}1${')'.repeat(n)} }`),
  fc.constantFrom('LOAD <file:///etc/passwd>', 'LOAD SILENT <file:///etc/hostname>', 'LOAD <file:///etc/passwd> INTO GRAPH <http://e/g>')
)
