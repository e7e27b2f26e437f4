/**
 * The Graph Store HTTP Protocol at /store: PUT creates (201) or replaces (204) a graph
 * in one commit, POST merges in one commit, POST to /store makes a new graph and names
 * it in Location, DELETE removes a graph in one commit, GET and HEAD answer 404 for a
 * graph that holds nothing; writes are refused unless updates are allowed; a body
 * that does not parse commits nothing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import { serve, type Served } from './helpers.js'

let served: Served | undefined
afterEach(async () => { await served?.close(); served = undefined })

const G = 'http://example.org/people'
const at = (s: Served, graph = G): string => `${s.store}?graph=${encodeURIComponent(graph)}`
const TURTLE = { 'content-type': 'text/turtle; charset=utf-8' }
const commits = async (s: Served): Promise<number> => (await s.graph.log()).length

async function triples (res: Response): Promise<string[]> {
  expect(res.status).toBe(200)
  return new Parser({ format: 'Turtle' }).parse(await res.text()).map(q => `${q.subject.value} ${q.predicate.value} ${q.object.value}`).sort()
}

describe('graph store', () => {
  it('PUT, GET, POST, HEAD, DELETE on a named graph, each write one commit', async () => {
    served = await serve({ allowUpdate: true }, '')
    expect((await fetch(at(served))).status).toBe(404)
    expect((await fetch(at(served), { method: 'HEAD' })).status).toBe(404)
    const put = await fetch(at(served), { method: 'PUT', body: '<a> <http://example.org/p> "1" .', headers: TURTLE })
    expect(put.status).toBe(201)
    expect(await commits(served)).toBe(1)
    expect(await triples(await fetch(at(served), { headers: { accept: 'text/turtle' } }))).toEqual([`${G.replace(/people$/, 'a')} http://example.org/p 1`])
    const replace = await fetch(at(served), { method: 'PUT', body: '<http://example.org/b> <http://example.org/p> "2" .', headers: TURTLE })
    expect(replace.status).toBe(204)
    expect(await commits(served)).toBe(2)
    expect(await triples(await fetch(at(served)))).toEqual(['http://example.org/b http://example.org/p 2'])
    const merge = await fetch(at(served), { method: 'POST', body: '<http://example.org/c> <http://example.org/p> "3" .', headers: { 'content-type': 'application/n-triples' } })
    expect(merge.status).toBe(204)
    expect(await commits(served)).toBe(3)
    expect(await triples(await fetch(at(served)))).toEqual(['http://example.org/b http://example.org/p 2', 'http://example.org/c http://example.org/p 3'])
    const head = await fetch(at(served), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/turtle; charset=utf-8')
    expect((await fetch(at(served), { method: 'DELETE' })).status).toBe(204)
    expect(await commits(served)).toBe(4)
    expect((await fetch(at(served))).status).toBe(404)
    expect((await fetch(at(served), { method: 'DELETE' })).status).toBe(404)
    expect(await served.graph.size()).toBe(0)
  })

  it('reads RDF/XML and JSON-LD bodies; a JSON-LD remote @context is 400 and commits nothing', async () => {
    served = await serve({ allowUpdate: true }, '')
    const rdfxml = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>6</ex:p></rdf:Description>
</rdf:RDF>`
    expect((await fetch(at(served), { method: 'PUT', body: rdfxml, headers: { 'content-type': 'application/rdf+xml' } })).status).toBe(201)
    const jsonld = JSON.stringify({ '@id': 'http://example.org/y', 'http://example.org/p': '7' })
    expect((await fetch(at(served), { method: 'POST', body: jsonld, headers: { 'content-type': 'application/ld+json' } })).status).toBe(204)
    expect(await triples(await fetch(at(served)))).toEqual(['http://example.org/x http://example.org/p 6', 'http://example.org/y http://example.org/p 7'])
    const before = await commits(served)
    const remote = await fetch(at(served), { method: 'POST', body: JSON.stringify({ '@context': 'https://schema.org/', '@id': 'http://example.org/z', name: 'z' }), headers: { 'content-type': 'application/ld+json' } })
    expect(remote.status).toBe(400)
    expect(await remote.text()).toContain('remote context')
    expect(await commits(served)).toBe(before)
  })

  it('the default graph, a new graph by POST to /store, and bodies that do not parse', async () => {
    served = await serve({ allowUpdate: true }, '')
    expect((await fetch(`${served.store}?default`, { method: 'PUT', body: '<http://example.org/d> <http://example.org/p> 4 .', headers: TURTLE })).status).toBe(204)
    expect(await triples(await fetch(`${served.store}?default`))).toEqual(['http://example.org/d http://example.org/p 4'])
    const created = await fetch(served.store, { method: 'POST', body: '<http://example.org/e> <http://example.org/p> 5 .', headers: TURTLE })
    expect(created.status).toBe(201)
    const location = created.headers.get('location')!
    expect(location).toMatch(/^urn:uuid:/)
    expect(await triples(await fetch(at(served, location)))).toEqual(['http://example.org/e http://example.org/p 5'])
    const before = await commits(served)
    expect((await fetch(at(served), { method: 'PUT', body: '<a> <b> .', headers: TURTLE })).status).toBe(400)
    expect((await fetch(at(served), { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(415)
    expect(await commits(served)).toBe(before)
    expect((await fetch(`${served.store}?graph=not%20an%20iri`)).status).toBe(400)
    expect((await fetch(`${served.store}?default&graph=${encodeURIComponent(G)}`)).status).toBe(400)
    expect((await fetch(served.store)).status).toBe(400)
    expect((await fetch(at(served), { method: 'PATCH' })).status).toBe(405)
  })

  it('refuses writes unless updates are allowed, serves reads always', async () => {
    served = await serve()
    expect((await fetch(at(served, 'http://example.org/g1'), { method: 'PUT', body: '<a> <b> <c> .', headers: TURTLE })).status).toBe(403)
    expect((await fetch(at(served, 'http://example.org/g1'), { method: 'DELETE' })).status).toBe(403)
    const g1 = await fetch(at(served, 'http://example.org/g1'), { headers: { accept: 'application/n-triples' } })
    expect(await g1.text()).toBe('<http://example.org/alice> <http://example.org/in> "g1" .\n')
  })
})
