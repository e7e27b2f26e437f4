/**
 * Random data and random queries for the differential tests (fast-check): a few
 * subjects, predicates and small integers, and groups built from triple patterns,
 * paths, FILTER, OPTIONAL, UNION, MINUS, GRAPH, VALUES, (NOT) EXISTS and
 * subqueries, so that most queries over most data sets have answers.
 */
import type * as RDF from '@rdfjs/types'
import fc from 'fast-check'
import { DataFactory } from 'rdf-data-factory'

const df = new DataFactory()
export const EX = 'http://ex/'
const XSD_INT = df.namedNode('http://www.w3.org/2001/XMLSchema#integer')

export const quadArb = fc.record({
  s: fc.integer({ min: 0, max: 5 }),
  p: fc.integer({ min: 0, max: 2 }),
  o: fc.oneof(fc.integer({ min: 0, max: 5 }).map(i => ({ iri: i })), fc.integer({ min: 0, max: 4 }).map(n => ({ lit: n }))),
  g: fc.constantFrom(-1, -1, -1, 0, 1)
})

export function toQuad (q: { s: number, p: number, o: { iri: number } | { lit: number }, g: number }): RDF.Quad {
  const object = 'iri' in q.o ? df.namedNode(`${EX}s${q.o.iri}`) : df.literal(String(q.o.lit), XSD_INT)
  return df.quad(df.namedNode(`${EX}s${q.s}`), df.namedNode(`${EX}p${q.p}`), object, q.g < 0 ? df.defaultGraph() : df.namedNode(`${EX}g${q.g}`))
}

const VARS = ['?a', '?b', '?c', '?d']
const varArb = fc.constantFrom(...VARS)
const termArb = fc.oneof(varArb, varArb, varArb, varArb, fc.integer({ min: 0, max: 5 }).map(i => `:s${i}`))
const predArb = fc.oneof(
  fc.integer({ min: 0, max: 2 }).map(i => `:p${i}`),
  fc.constantFrom(':p0/:p1', ':p0*', ':p1+', '^:p2', '(:p0|:p2)', ':p1?', '!:p0', '?p')
)
const tripleArb = fc.tuple(termArb, predArb, fc.oneof(termArb, termArb, termArb, fc.integer({ min: 0, max: 4 }).map(String))).map(([s, p, o]) => `${s} ${p} ${o} .`)
const filterArb = fc.oneof(
  fc.tuple(varArb, fc.integer({ min: 0, max: 4 })).map(([v, n]) => `FILTER(${v} < ${n})`),
  fc.tuple(varArb, varArb).map(([a, b]) => `FILTER(${a} != ${b})`),
  varArb.map(v => `FILTER(isIRI(${v}))`),
  varArb.map(v => `FILTER(BOUND(${v}))`)
)

const groupArb: fc.Arbitrary<string> = fc.letrec<{ group: string }>(tie => ({
  group: fc.tuple(
    fc.array(tripleArb, { minLength: 1, maxLength: 3 }),
    fc.array(fc.oneof(
      filterArb,
      tie('group').map(g => `OPTIONAL ${g}`),
      fc.tuple(tie('group'), tie('group')).map(([a, b]) => `${a} UNION ${b}`),
      tie('group').map(g => `MINUS ${g}`),
      tie('group').map(g => `GRAPH ?g ${g}`),
      fc.tuple(varArb, fc.integer({ min: 0, max: 5 })).map(([v, i]) => `VALUES ${v} { :s${i} :s${(i + 1) % 6} }`),
      fc.tuple(varArb, varArb).map(([a, b]) => `FILTER EXISTS { ${a} :p0 ${b} }`),
      fc.tuple(varArb, varArb).map(([a, b]) => `FILTER NOT EXISTS { ${a} :p1 ${b} }`),
      tie('group').map(g => `{ SELECT ?a (COUNT(*) AS ?n) ${g} GROUP BY ?a }`),
      tie('group').map(g => `{ SELECT DISTINCT ?a ?b ${g} }`),
      fc.array(tripleArb, { minLength: 1, maxLength: 2 }).map(ts => ts.join(' '))
    ), { maxLength: 2 })
  ).map(([triples, rest]) => `{ ${triples.join(' ')} ${rest.join(' ')} }`)
})).group

export const queryArb = fc.tuple(groupArb, fc.constantFrom('plain', 'distinct', 'count', 'project', 'bind')).map(([g, form]) => {
  switch (form) {
    case 'bind': return `SELECT * { ${g} BIND(CONCAT(STR(?a), "/", STR(?b)) AS ?e) }`
    case 'distinct': return `SELECT DISTINCT * ${g}`
    case 'count': return `SELECT ?a (COUNT(*) AS ?n) ${g} GROUP BY ?a`
    case 'project': return `SELECT ?a ?b ${g}`
    default: return `SELECT * ${g}`
  }
})
