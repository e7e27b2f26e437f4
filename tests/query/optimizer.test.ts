/**
 * Differential test of the optimizer: random queries over random data (fast-check,
 * fixed seed) must give the same multiset of solutions with the planner's passes
 * on (filter pushdown, join reordering, nested-loop joins) and off (algebra as
 * translated, hash joins only).
 */
import type * as RDF from '@rdfjs/types'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DataFactory } from 'rdf-data-factory'
import { MemorySource, executeQuery, optimizerPasses } from '../../query/index.js'

const df = new DataFactory()
const EX = 'http://ex/'
const XSD_INT = df.namedNode('http://www.w3.org/2001/XMLSchema#integer')

const quadArb = fc.record({
  s: fc.integer({ min: 0, max: 5 }),
  p: fc.integer({ min: 0, max: 2 }),
  o: fc.oneof(fc.integer({ min: 0, max: 5 }).map(i => ({ iri: i })), fc.integer({ min: 0, max: 4 }).map(n => ({ lit: n }))),
  g: fc.constantFrom(-1, -1, -1, 0, 1)
})

function toQuad (q: fc.RecordValue<{ s: number, p: number, o: { iri: number } | { lit: number }, g: number }>): RDF.Quad {
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
      fc.array(tripleArb, { minLength: 1, maxLength: 2 }).map(ts => ts.join(' '))
    ), { maxLength: 2 })
  ).map(([triples, rest]) => `{ ${triples.join(' ')} ${rest.join(' ')} }`)
}), { depthSize: 'small' }).group

const queryArb = fc.tuple(groupArb, fc.constantFrom('plain', 'distinct', 'count', 'project')).map(([g, form]) => {
  switch (form) {
    case 'distinct': return `SELECT DISTINCT * ${g}`
    case 'count': return `SELECT ?a (COUNT(*) AS ?n) ${g} GROUP BY ?a`
    case 'project': return `SELECT ?a ?b ${g}`
    default: return `SELECT * ${g}`
  }
})

async function solutions (source: MemorySource, query: string, optimize: boolean): Promise<string[]> {
  const result = await executeQuery(source, `PREFIX : <${EX}> ${query}`, { optimize })
  if (result.type !== 'bindings') throw new Error('bindings expected')
  const out: string[] = []
  for await (const s of result) out.push([...s].map(([k, v]) => `${k}=${v.termType}:${v.value}`).sort().join(' '))
  return out.sort()
}

describe('optimizer', () => {
  it('names its passes', () => {
    expect(optimizerPasses.map(p => p.name)).toEqual(['normalize', 'pushFilters', 'reorderPatterns', 'chooseJoins'])
  })

  it('gives the same solutions with the optimizer on and off', async () => {
    let nonEmpty = 0
    await fc.assert(fc.asyncProperty(fc.array(quadArb, { minLength: 20, maxLength: 80 }), queryArb, async (quads, query) => {
      const source = new MemorySource(quads.map(toQuad))
      const [on, off] = [await solutions(source, query, true), await solutions(source, query, false)]
      expect(on, query).toEqual(off)
      if (on.length > 0) nonEmpty++
    }), { seed: 20240611, numRuns: 300 })
    // The property is only as strong as its queries: most must return something.
    expect(nonEmpty).toBeGreaterThan(80)
    console.log(`optimizer differential: ${nonEmpty}/300 queries returned solutions`)
  })
})
