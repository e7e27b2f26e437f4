/**
 * The SPARQL 1.1 Protocol at /sparql against the real server on a loopback port:
 * the three ways to send a query give the same answers as graph.query; content
 * negotiation picks each results and graph format by Accept (q-values included) and
 * each parses back to the same answers; dataset parameters; updates only when allowed
 * (and with the token when one is set); the status codes of malformed or refused requests.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Parser } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { JsonLdParser } from 'jsonld-streaming-parser'
import type * as RDF from '@rdfjs/types'
import { solutionToRecord, type QueryResult } from '../../index.js'
import { toArray } from '../../query/index.js'
import { parseRdfXml } from '../query/rdfxml.js'
import { get, postForm, postQuery, postUpdate, serve, type Served } from './helpers.js'

let served: Served | undefined
afterEach(async () => { await served?.close(); served = undefined })

const SELECT = 'PREFIX ex: <http://example.org/> SELECT ?s ?name WHERE { ?s ex:name ?name } ORDER BY ?name'
const CONSTRUCT = 'PREFIX ex: <http://example.org/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }'

async function expectedRows (s: Served, query: string): Promise<unknown[]> {
  const result = await s.graph.query(query)
  if (result.type !== 'bindings') throw new Error('not a SELECT')
  return (await toArray(result)).map(row => {
    const record = solutionToRecord(row)
    return Object.fromEntries(Object.entries(record).map(([k, t]) => [k, t.termType === 'BlankNode' ? 'bnode' : t.value]))
  })
}

function jsonRows (body: { results: { bindings: Array<Record<string, { type: string, value: string }>> } }): unknown[] {
  return body.results.bindings.map(row => Object.fromEntries(Object.entries(row).map(([k, t]) => [k, t.type === 'bnode' ? 'bnode' : t.value])))
}

async function quadsOf (result: QueryResult): Promise<RDF.Quad[]> {
  if (result.type !== 'quads') throw new Error('not a graph')
  return await toArray(result)
}

async function parseJsonLd (text: string): Promise<RDF.Quad[]> {
  const parser = new JsonLdParser()
  const quads: RDF.Quad[] = []
  return await new Promise((resolve, reject) => {
    parser.on('data', (q: RDF.Quad) => quads.push(q)).on('error', reject).on('end', () => resolve(quads))
    parser.end(text)
  })
}

describe('queries', () => {
  it('by GET, POST direct and POST form, with the answers of graph.query', async () => {
    served = await serve()
    const expected = await expectedRows(served, SELECT)
    expect(expected.length).toBe(3)
    for (const res of [await get(served.url, SELECT), await postQuery(served.url, SELECT), await postForm(served.url, { query: SELECT })]) {
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/sparql-results+json; charset=utf-8')
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      expect(jsonRows(await res.json())).toEqual(expected)
    }
  })

  it('negotiates solutions: JSON, XML, CSV, TSV, by q-value', async () => {
    served = await serve()
    const cases: Array<[string, string]> = [
      ['application/sparql-results+xml', 'application/sparql-results+xml'],
      ['text/csv', 'text/csv'],
      ['text/tab-separated-values', 'text/tab-separated-values'],
      ['text/csv;q=0.5, application/sparql-results+xml;q=0.9', 'application/sparql-results+xml'],
      ['text/html, */*;q=0.1', 'application/sparql-results+json'],
      ['application/json', 'application/json']
    ]
    for (const [accept, type] of cases) {
      const res = await get(served.url, SELECT, accept)
      expect(res.status, accept).toBe(200)
      expect(res.headers.get('content-type')).toBe(`${type}; charset=utf-8`)
      const text = await res.text()
      if (type === 'text/csv') expect(text.split('\r\n')[0]).toBe('s,name')
      if (type === 'text/tab-separated-values') expect(text.split('\n')[0]).toBe('?s\t?name')
      if (type.includes('xml')) expect(text).toContain('<literal xml:lang="en">Alice</literal>')
    }
    const refused = await get(served.url, SELECT, 'image/png')
    expect(refused.status).toBe(406)
    expect(await refused.text()).toMatch(/offered: application\/sparql-results\+json/)
    // CSV has no form for a boolean
    expect((await get(served.url, 'ASK {}', 'text/csv')).status).toBe(406)
    const ask = await get(served.url, 'ASK { ?s ?p "Carol" }', 'application/sparql-results+xml, text/csv;q=0.1')
    expect(await ask.text()).toContain('<boolean>true</boolean>')
    expect(await (await get(served.url, 'ASK { ?s ?p "Dave" }')).json()).toEqual({ head: {}, boolean: false })
  })

  it('negotiates graphs: N-Triples, Turtle, N-Quads, TriG, JSON-LD and RDF/XML, each parsing back to the same graph', async () => {
    served = await serve()
    for (const query of [CONSTRUCT, 'DESCRIBE <http://example.org/alice>']) {
      const expected = await quadsOf(await served.graph.query(query))
      expect(expected.length).toBeGreaterThan(3)
      const parsers: Record<string, (text: string) => Promise<RDF.Quad[]> | RDF.Quad[]> = {
        'application/n-triples': text => new Parser({ format: 'N-Triples' }).parse(text),
        'text/turtle': text => new Parser({ format: 'Turtle' }).parse(text),
        'application/n-quads': text => new Parser({ format: 'N-Quads' }).parse(text),
        'application/trig': text => new Parser({ format: 'TriG' }).parse(text),
        'application/ld+json': parseJsonLd,
        'application/rdf+xml': text => parseRdfXml(text, 'http://example.org/')
      }
      for (const [type, parse] of Object.entries(parsers)) {
        const res = await postQuery(served.url, query, `${type}, text/turtle;q=0.2`)
        expect(res.status, type).toBe(200)
        expect(res.headers.get('content-type')).toBe(`${type}; charset=utf-8`)
        expect(isomorphic(await parse(await res.text()), expected), `${type} of ${query}`).toBe(true)
      }
    }
    expect((await get(served.url, CONSTRUCT)).headers.get('content-type')).toBe('text/turtle; charset=utf-8')
    expect((await get(served.url, CONSTRUCT, 'application/sparql-results+json')).status).toBe(406)
  })

  it('takes the dataset from default-graph-uri and named-graph-uri, over the query\'s FROM', async () => {
    served = await serve()
    const q = 'SELECT ?o WHERE { ?s <http://example.org/in> ?o }'
    const inG1 = await fetch(`${served.url}?query=${encodeURIComponent(q)}&default-graph-uri=${encodeURIComponent('http://example.org/g1')}`)
    expect(jsonRows(await inG1.json())).toEqual([{ o: 'g1' }])
    const merged = await postForm(served.url, { query: q + ' ORDER BY ?o', 'default-graph-uri': 'http://example.org/g1' }, {})
    expect(jsonRows(await merged.json())).toEqual([{ o: 'g1' }])
    const named = 'SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }'
    const fromG2 = await fetch(`${served.url}?named-graph-uri=${encodeURIComponent('http://example.org/g2')}`, {
      method: 'POST', body: named + '', headers: { 'content-type': 'application/sparql-query' }
    })
    expect(jsonRows(await fromG2.json())).toEqual([{ g: 'http://example.org/g2' }])
    const overridden = await fetch(`${served.url}?query=${encodeURIComponent('SELECT ?o FROM <http://example.org/g2> WHERE { ?s <http://example.org/in> ?o }')}&default-graph-uri=${encodeURIComponent('http://example.org/g1')}`)
    expect(jsonRows(await overridden.json())).toEqual([{ o: 'g1' }])
  })

  it('answers malformed and refused requests with 400, 405, 413 and 415, and a message', async () => {
    served = await serve({ maxBodyBytes: 1000 })
    const bad = await get(served.url, 'SELECT * WHERE { ?s ?p }')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/line 1, column \d+/)
    const twoLines = await postQuery(served.url, 'SELECT *\nWHERE { ?s ?p ?o . FILTER( }')
    expect(twoLines.status).toBe(400)
    expect(await twoLines.text()).toMatch(/line 2/)
    expect((await fetch(`${served.url}?query=ASK%7B%7D&query=ASK%7B%7D`)).status).toBe(400)
    const put = await fetch(`${served.url}?query=ASK%7B%7D`, { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST, OPTIONS')
    // (a byte body: fetch gives a string body a text/plain type of its own)
    expect((await fetch(served.url, { method: 'POST', body: new TextEncoder().encode('ASK {}') })).status).toBe(400)
    expect((await fetch(served.url, { method: 'POST', body: 'ASK {}', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
    expect((await fetch(served.url, { method: 'POST', body: new Uint8Array([0xfe, 0xff, 0, 65]), headers: { 'content-type': 'application/sparql-query' } })).status).toBe(400)
    expect((await fetch(served.url, { method: 'POST', body: 'ASK {}', headers: { 'content-type': 'application/sparql-query; charset=UTF-16' } })).status).toBe(400)
    const large = await postQuery(served.url, `ASK { ?s ?p "${'x'.repeat(2000)}" }`)
    expect(large.status).toBe(413)
    expect((await get(served.url, `ASK { ?s ?p "${'x'.repeat(200)}" }`)).status).toBe(200)
    expect((await fetch(served.url.replace('/sparql', '/nothing'))).status).toBe(404)
    const preflight = await fetch(served.url, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('describes the service on a GET without a query (Turtle, sd: vocabulary, its own endpoint)', async () => {
    served = await serve()
    const res = await fetch(served.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/turtle; charset=utf-8')
    const quads = new Parser({ format: 'Turtle' }).parse(await res.text())
    const SD = 'http://www.w3.org/ns/sparql-service-description#'
    expect(quads.some(q => q.predicate.value === SD + 'endpoint' && q.object.value === served!.url)).toBe(true)
    expect(quads.some(q => q.predicate.value === SD + 'supportedLanguage' && q.object.value === SD + 'SPARQL11Query')).toBe(true)
    expect(quads.some(q => q.object.value === SD + 'SPARQL11Update')).toBe(false)
  })
})

describe('updates', () => {
  it('are refused with 403 unless the server allows them', async () => {
    served = await serve()
    const res = await postUpdate(served.url, 'INSERT DATA { <http://example.org/x> <http://example.org/p> 1 }')
    expect(res.status).toBe(403)
    expect(await res.text()).toMatch(/--allow-update/)
    expect((await postForm(served.url, { update: 'CLEAR ALL' })).status).toBe(403)
    expect(await served.graph.size()).toBe(11)
  })

  it('by POST direct and form, each one commit, with the endpoint as base IRI; update by GET is refused', async () => {
    served = await serve({ allowUpdate: true })
    const before = (await served.graph.log()).length
    const direct = await postUpdate(served.url, 'INSERT DATA { <http://example.org/x> <http://example.org/p> <relative> }')
    expect(direct.status).toBe(204)
    expect(direct.headers.get('x-rhizome-commit')).toBe((await served.graph.heads())[0].toString())
    const form = await postForm(served.url, { update: 'DELETE WHERE { <http://example.org/bob> ?p ?o }; INSERT DATA { <http://example.org/y> <http://example.org/p> 2 }' })
    expect(form.status).toBe(204)
    expect((await served.graph.log()).length).toBe(before + 2)
    const ask = await get(served.url, `ASK { <http://example.org/x> <http://example.org/p> <${served.url.replace(/sparql$/, 'relative')}> . <http://example.org/y> ?p 2 FILTER NOT EXISTS { <http://example.org/bob> ?q ?r } }`)
    expect((await ask.json()).boolean).toBe(true)
    expect((await fetch(`${served.url}?update=${encodeURIComponent('CLEAR ALL')}`)).status).toBe(405)
    const bad = await postUpdate(served.url, 'INSERT DATA { <http://example.org/x> }')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/line 1/)
  })

  it('honour using-graph-uri, and refuse it beside the request\'s own USING', async () => {
    served = await serve({ allowUpdate: true })
    const u = 'INSERT { GRAPH <http://example.org/out> { ?s <http://example.org/copied> ?o } } WHERE { ?s <http://example.org/in> ?o }'
    const res = await fetch(`${served.url}?using-graph-uri=${encodeURIComponent('http://example.org/g2')}`, { method: 'POST', body: u, headers: { 'content-type': 'application/sparql-update' } })
    expect(res.status).toBe(204)
    const copied = await get(served.url, 'SELECT ?o { GRAPH <http://example.org/out> { ?s ?p ?o } }')
    expect(jsonRows(await copied.json())).toEqual([{ o: 'g2' }])
    const conflict = await fetch(`${served.url}?using-graph-uri=${encodeURIComponent('http://example.org/g2')}`, {
      method: 'POST', body: 'INSERT { ?s ?p ?o } USING <http://example.org/g1> WHERE { ?s ?p ?o }', headers: { 'content-type': 'application/sparql-update' }
    })
    expect(conflict.status).toBe(400)
  })

  it('need the bearer token when one is set; a public address without a token is refused at start', async () => {
    served = await serve({ allowUpdate: true, token: 's3cret' })
    const update = 'INSERT DATA { <http://example.org/x> <http://example.org/p> 1 }'
    const anonymous = await postUpdate(served.url, update)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await postUpdate(served.url, update, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await postUpdate(served.url, update, { authorization: 'Bearer s3cret' })).status).toBe(204)
    expect((await get(served.url, 'ASK {}')).status).toBe(200)
    await expect(serve({ allowUpdate: true, host: '0.0.0.0' })).rejects.toMatchObject({ code: 'ERR_UNSAFE_SERVER' })
  })

  it('LOAD of local files is off unless allowed', async () => {
    served = await serve({ allowUpdate: true })
    const res = await postUpdate(served.url, 'LOAD <file:///etc/hostname>')
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/LOAD is off/)
    expect((await postUpdate(served.url, 'LOAD SILENT <file:///etc/hostname>')).status).toBe(204)
  })

  it('LOAD reads files inside the folders --allow-load names, and no others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rhizome-load-'))
    try {
      writeFileSync(join(dir, 'd.nt'), '<http://example.org/loaded> <http://example.org/p> "1" .\n')
      served = await serve({ allowUpdate: true, loadFolders: [dir] })
      expect((await postUpdate(served.url, `LOAD <${pathToFileURL(join(dir, 'd.nt')).href}>`)).status).toBe(204)
      expect(await (await get(served.url, 'ASK { <http://example.org/loaded> ?p ?o }')).json()).toMatchObject({ boolean: true })
      const outside = await postUpdate(served.url, 'LOAD <file:///etc/hostname>')
      expect(outside.status).toBe(403)
      expect(await outside.text()).toContain('not allowed')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
