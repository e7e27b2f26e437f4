/** The front end's checks, as tables of queries that should and should not parse. */
import { describe, expect, it } from 'vitest'
import { parseSparql, SparqlSyntaxError } from '../../query/index.js'

const shouldParse = [
  'SELECT * { ?s ?p ?o }',
  'PREFIX : <http://ex/> SELECT * { _:a :p ?v . FILTER(true) _:a :q ?w }',
  'PREFIX : <http://ex/> SELECT * { [] :p ?v OPTIONAL { [] :q ?v } }',
  'PREFIX : <http://ex/> CONSTRUCT { _:a :p ?o } WHERE { _:a :q ?o }',
  'PREFIX : <http://ex/> SELECT * { <\\u0068ttp://ex/a> :p "x\\u0078" }',
  'PREFIX : <http://ex/> INSERT { _:n :p ?o } WHERE { ?s :p ?o }',
  '# nothing but a comment',
  'SELECT ?x (COUNT(*) AS ?n) { ?x ?p ?o } GROUP BY ?x HAVING (COUNT(*) > 1)',
  'SELECT * { ?s <http://ex/p>/(<http://ex/q>|^<http://ex/r>)* ?o }'
]

const shouldNotParse: Array<[string, RegExp]> = [
  ['SELECT * { ?s ?p }', /line 1/],
  ['PREFIX : <http://ex/> SELECT * { _:a :p ?v OPTIONAL { _:a :q ?w } }', /_:a/],
  ['PREFIX : <http://ex/> SELECT * { { _:a :p ?v } _:a :q ?w }', /_:a/],
  ['PREFIX : <http://ex/> SELECT * { { _:a :p ?v } UNION { _:a :q ?w } }', /_:a/],
  ['PREFIX : <http://ex/> SELECT * { _:a :p ?v . GRAPH ?g { _:a :q ?w } }', /_:a/],
  ['PREFIX : <http://ex/> DELETE { _:a :p ?o } WHERE { ?s :p ?o }', /blank node/],
  ['PREFIX : <http://ex/> INSERT DATA { _:a :p 1 } ; INSERT DATA { _:a :p 2 }', /blank node/i],
  ['SELECT ?x { ?x ?p ?o } GROUP BY ?p', /./],
  ['SELECT * { BIND(1 AS ?x) BIND(2 AS ?x) }', /./],
  ['SELECT * { ?s ?p ?o } LIMIT x', /./]
]

describe('SPARQL front end', () => {
  it.each(shouldParse)('parses %s', (text) => {
    expect(() => parseSparql(text)).not.toThrow()
  })

  it.each(shouldNotParse)('rejects %s', (text, message) => {
    let error: unknown
    try { parseSparql(text) } catch (e) { error = e }
    expect(error).toBeInstanceOf(SparqlSyntaxError)
    expect((error as SparqlSyntaxError).name).toBe('SparqlSyntaxError')
    expect((error as Error).message).toMatch(message)
  })

  it('reports the position of a grammar error', () => {
    try {
      parseSparql('SELECT *\nWHERE {\n  ?s ?p ?o ?x\n}')
      expect.unreachable()
    } catch (e) {
      expect((e as SparqlSyntaxError).position?.line).toBe(3)
    }
  })
})
