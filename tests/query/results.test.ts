/** Results serialization: SPARQL JSON, XML, CSV, TSV; quads as N-Triples, N-Quads, Turtle, JSON-LD. */
import { describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import {
  executeQuery, writeQuads, writeResultsCsv, writeResultsJson, writeResultsTsv, writeResultsXml,
  type BindingsResult, type QueryResult
} from '../../query/index.js'
import { sourceFrom } from './helpers.js'

const source = sourceFrom(`
@prefix : <http://ex/> .
:a :name "Alice, \\"A\\""@en ; :age 30 ; :knows _:b .
_:b :name "Bob" .
`)
const QUERY = 'PREFIX : <http://ex/> SELECT ?s ?name ?age { ?s :name ?name OPTIONAL { ?s :age ?age } } ORDER BY DESC(?age)'

async function text (chunks: AsyncIterable<string>): Promise<string> {
  let out = ''
  for await (const c of chunks) out += c
  return out
}

async function bindings (): Promise<BindingsResult> {
  const r: QueryResult = await executeQuery(source, QUERY)
  if (r.type !== 'bindings') throw new Error('bindings expected')
  return r
}

describe('results formats', () => {
  it('writes SPARQL Results JSON', async () => {
    const json = JSON.parse(await text(writeResultsJson(await bindings())))
    expect(json.head.vars).toEqual(['s', 'name', 'age'])
    expect(json.results.bindings[0]).toEqual({
      s: { type: 'uri', value: 'http://ex/a' },
      name: { type: 'literal', value: 'Alice, "A"', 'xml:lang': 'en' },
      age: { type: 'literal', value: '30', datatype: 'http://www.w3.org/2001/XMLSchema#integer' }
    })
    expect(json.results.bindings[1].s.type).toBe('bnode')
    expect(JSON.parse(await text(writeResultsJson({ type: 'boolean', value: true })))).toEqual({ head: {}, boolean: true })
  })

  it('writes SPARQL Results XML', async () => {
    const xml = await text(writeResultsXml(await bindings()))
    expect(xml).toContain('<variable name="s"/><variable name="name"/><variable name="age"/>')
    expect(xml).toContain('<binding name="name"><literal xml:lang="en">Alice, &quot;A&quot;</literal></binding>')
    expect(xml).toContain('<binding name="age"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">30</literal></binding>')
    expect(await text(writeResultsXml({ type: 'boolean', value: false }))).toContain('<boolean>false</boolean>')
  })

  it('writes CSV with quoting and TSV with Turtle terms', async () => {
    const csv = await text(writeResultsCsv(await bindings()))
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe('s,name,age')
    expect(lines[1]).toBe('http://ex/a,"Alice, ""A""",30')
    expect(lines[2]).toMatch(/^_:\S+,Bob,$/)
    const tsv = await text(writeResultsTsv(await bindings()))
    expect(tsv.split('\n')[0]).toBe('?s\t?name\t?age')
    expect(tsv.split('\n')[1]).toBe('<http://ex/a>\t"Alice, \\"A\\""@en\t30')
  })

  it('writes CONSTRUCT results as N-Triples, N-Quads, Turtle and JSON-LD', async () => {
    const construct = async (): Promise<AsyncIterable<import('@rdfjs/types').Quad>> => {
      const r = await executeQuery(source, 'CONSTRUCT WHERE { ?s ?p ?o }')
      if (r.type !== 'quads') throw new Error('quads expected')
      return r
    }
    for (const [format, mime] of [['n-triples', 'application/n-triples'], ['n-quads', 'application/n-quads'], ['turtle', 'text/turtle']] as const) {
      const out = await writeQuads(await construct(), format, { prefixes: { ex: 'http://ex/' } })
      expect(new Parser({ format: mime }).parse(out), format).toHaveLength(4)
    }
    const jsonld = JSON.parse(await writeQuads(await construct(), 'json-ld'))
    const alice = jsonld.find((n: { '@id': string }) => n['@id'] === 'http://ex/a')
    expect(alice['http://ex/age']).toEqual([{ '@value': '30', '@type': 'http://www.w3.org/2001/XMLSchema#integer' }])
    expect(alice['http://ex/name']).toEqual([{ '@value': 'Alice, "A"', '@language': 'en' }])
  })
})
