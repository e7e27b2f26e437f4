/**
 * A real client written by others: Comunica (@comunica/query-sparql) querying the
 * endpoint as a SPARQL endpoint gets the same answers as graph.query, for SELECT (with
 * every kind of term: IRIs, blank nodes, language-tagged and typed literals, unbound
 * values), ASK, CONSTRUCT and DESCRIBE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryEngine } from '@comunica/query-sparql'
import { isomorphic } from 'rdf-isomorphic'
import type * as RDF from '@rdfjs/types'
import { toArray } from '../../query/index.js'
import { serve, type Served } from './helpers.js'

let served: Served
const engine = new QueryEngine()
beforeAll(async () => { served = await serve() })
afterAll(async () => { await served.close() })

const context = (): { sources: Array<{ type: 'sparql', value: string }>, lenient: boolean } => ({ sources: [{ type: 'sparql', value: served.url }], lenient: false })

/** A row as text, blank nodes by their place (labels differ between engines). */
function row (vars: string[], get: (v: string) => RDF.Term | undefined): string {
  return vars.map(v => {
    const t = get(v)
    if (t === undefined) return `${v}=`
    if (t.termType === 'BlankNode') return `${v}=_:`
    if (t.termType === 'Literal') return `${v}="${t.value}"@${t.language}^^${t.datatype.value}`
    return `${v}=<${t.value}>`
  }).join(' ')
}

const SELECTS = [
  'PREFIX ex: <http://example.org/> SELECT ?s ?name WHERE { ?s ex:name ?name } ORDER BY ?name',
  'PREFIX ex: <http://example.org/> SELECT ?s ?o WHERE { ?s ?p ?o OPTIONAL { ?o ex:name ?n } } ORDER BY ?s ?o',
  'PREFIX ex: <http://example.org/> SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p',
  'PREFIX ex: <http://example.org/> SELECT ?x ?age WHERE { ?x ex:age ?age FILTER(?age > 40) }',
  'SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g',
  'PREFIX ex: <http://example.org/> SELECT ?s ?missing WHERE { ?s a ex:Person OPTIONAL { ?s ex:nothing ?missing } } ORDER BY ?s'
]

describe('Comunica over the endpoint', () => {
  it('SELECT: the same rows as graph.query', async () => {
    for (const query of SELECTS) {
      const result = await served.graph.query(query)
      if (result.type !== 'bindings') throw new Error('not a SELECT')
      const vars = result.variables.map(v => v.value)
      const expected = (await toArray(result)).map(s => row(vars, v => s.get(v)))
      const bindings = await (await engine.queryBindings(query, context())).toArray()
      const actual = bindings.map(b => row(vars, v => b.get(v) ?? undefined))
      expect(actual, query).toEqual(expected)
      expect(expected.length).toBeGreaterThan(0)
    }
  })

  it('ASK: the same boolean', async () => {
    for (const [query, value] of [['ASK { ?s <http://example.org/name> "Carol" }', true], ['ASK { ?s <http://example.org/name> "Dave" }', false]] as const) {
      const result = await served.graph.query(query)
      expect(result).toEqual({ type: 'boolean', value })
      expect(await engine.queryBoolean(query, context())).toBe(value)
    }
  })

  it('CONSTRUCT and DESCRIBE: isomorphic graphs', async () => {
    for (const query of ['PREFIX ex: <http://example.org/> CONSTRUCT { ?s ex:named ?n . ?s ex:friend ?f } WHERE { ?s ex:name ?n OPTIONAL { ?s ex:knows ?f } }', 'DESCRIBE <http://example.org/alice>']) {
      const result = await served.graph.query(query)
      if (result.type !== 'quads') throw new Error('not a graph')
      const expected = await toArray(result)
      const actual = await (await engine.queryQuads(query, context())).toArray()
      expect(expected.length).toBeGreaterThan(2)
      expect(isomorphic(actual, expected), query).toBe(true)
    }
  })
})
