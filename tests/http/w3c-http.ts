/**
 * Runs the W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests
 * (../shared/w3c-sparql, see tests/query/w3c-suite.ts) against the real endpoint. A
 * protocol test is a list of HTTP exchanges (ht:Request with path, method, headers and
 * body; ht:Response with the statuses allowed, the result format, the boolean, the
 * expected graph); each test gets a fresh in-memory database loaded with its
 * ut:graphData and a server that allows updates (a query-and-update endpoint).
 * Paths: /sparql/ is the endpoint's own path; /gsp is mapped to /store.
 */
import type * as RDF from '@rdfjs/types'
import { Parser, Store } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { type TestCase, BASE, RDFNS, RDFS, UT, all, one, readText } from '../query/w3c-suite.js'
import { parseRdfXml } from '../query/rdfxml.js'
import { serve } from './helpers.js'

const HT = 'http://www.w3.org/2011/http#'
const HTS = 'http://www.w3.org/2011/http-statusCodes#'
const CNT = 'http://www.w3.org/2011/content#'
const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#'
const SD = 'http://www.w3.org/ns/sparql-service-description#'

export type Outcome = { status: 'pass' } | { status: 'fail', reason: string } | { status: 'skip', reason: string }

/** Tests that do not apply to this endpoint, each with why. */
export function skipReason (t: TestCase): string | undefined {
  if (t.requires.includes('mf:DirectGraphIdentification')) {
    return 'direct graph identification (the graph IRI is the request URL) is not offered: Rhizome\'s graphs are named by any IRI, identified indirectly with ?graph='
  }
  return undefined
}

function list (store: Store, head: RDF.Term | undefined): RDF.Term[] {
  const out: RDF.Term[] = []
  let cur = head
  while (cur !== undefined && cur.value !== RDFNS + 'nil') {
    const first = one(store, cur, RDFNS + 'first')
    if (first === undefined) break
    out.push(first)
    cur = one(store, cur, RDFNS + 'rest')
  }
  return out
}

const STATUS: Record<string, (s: number) => boolean> = {
  StatusCode2xx: s => s >= 200 && s < 300,
  StatusCode3xx: s => s >= 300 && s < 400,
  StatusCode4xx: s => s >= 400 && s < 500,
  OK: s => s === 200,
  Created: s => s === 201,
  NoContent: s => s === 204,
  NotFound: s => s === 404
}

function headers (store: Store, node: RDF.Term): Array<[string, string]> {
  return all(store, node, HT + 'headers').flatMap(h => list(store, h)).map(h => [one(store, h, HT + 'fieldName')!.value.toLowerCase(), one(store, h, HT + 'fieldValue')!.value])
}

function bodyOf (store: Store, node: RDF.Term): { text: string, encoding: string } | undefined {
  const body = one(store, node, HT + 'body')
  if (body === undefined) return undefined
  return { text: one(store, body, CNT + 'chars')!.value, encoding: one(store, body, CNT + 'characterEncoding')?.value ?? 'UTF-8' }
}

function encode (body: { text: string, encoding: string }): Uint8Array<ArrayBuffer> {
  if (body.encoding.toUpperCase() !== 'UTF-16') return new TextEncoder().encode(body.text)
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body.text, 'utf16le')]))
}

function parseGraph (text: string, type: string, base: string): RDF.Quad[] {
  if (type === 'application/rdf+xml') return parseRdfXml(text, base)
  return new Parser({ format: type, baseIRI: base }).parse(text) as RDF.Quad[]
}

const media = (value: string | null): string => (value ?? '').split(';')[0].trim().toLowerCase()

/** Checks one response against its ht:Response; returns why it fails, or undefined. */
async function check (store: Store, resp: RDF.Term, res: Response, requestUrl: string): Promise<string | undefined> {
  const statuses = all(store, resp, MF + 'expectedStatus').map(s => s.value.replace(HTS, ''))
  const text = await res.text()
  if (statuses.length > 0 && !statuses.some(s => STATUS[s]?.(res.status) === true)) return `status ${res.status}, expected ${statuses.join(' or ')}: ${text.slice(0, 200)}`
  const type = media(res.headers.get('content-type'))
  const format = one(store, resp, MF + 'expectedFormat')?.value
  const expectedBoolean = one(store, resp, MF + 'expectedBoolean')?.value
  if (format === 'boolean' || expectedBoolean !== undefined) {
    const value = type.includes('json') ? String(JSON.parse(text).boolean) : /<boolean>(true|false)<\/boolean>/.exec(text)?.[1]
    if (expectedBoolean !== undefined && value !== expectedBoolean) return `boolean ${value}, expected ${expectedBoolean}`
  }
  if (format === 'tabular' && !type.startsWith('application/sparql-results') && type !== 'text/csv' && type !== 'text/tab-separated-values') return `not a results format: ${type}`
  if (format === 'RDF') {
    try { parseGraph(text, type, requestUrl) } catch (err) { return `the ${type} body does not parse: ${(err as Error).message}` }
  }
  for (const [name, value] of headers(store, resp)) {
    if (name === 'content-type' ? media(res.headers.get(name)) !== media(value) : res.headers.get(name) !== value) return `header ${name}: ${res.headers.get(name)}, expected ${value}`
  }
  const expected = bodyOf(store, resp)
  if (expected !== undefined) {
    const base = requestUrl
    if (!isomorphic(parseGraph(text, type, base), parseGraph(expected.text, media(headers(store, resp).find(([n]) => n === 'content-type')?.[1] ?? 'text/turtle'), base))) {
      return `the graph differs from the expected one:\n${text}`
    }
  }
  return undefined
}

export async function runHttpTest (t: TestCase): Promise<Outcome> {
  const skip = skipReason(t)
  if (skip !== undefined) return { status: 'skip', reason: skip }
  const served = await serve({ allowUpdate: true }, '')
  try {
    for (const data of t.store.getObjects(t.iri, UT + 'graphData', null)) {
      const file = one(t.store, data, UT + 'graph')!.value
      const name = one(t.store, data, RDFS + 'label')!.value
      await served.graph.import(readText(file), { format: 'nt', graph: name })
    }
    if (t.type === 'mf:ServiceDescriptionTest') return await serviceDescriptionTest(t, served.url)
    const origin = served.url.replace(/\/sparql$/, '')
    let location = ''
    for (const request of all(t.store, t.action, HT + 'requests').flatMap(r => list(t.store, r))) {
      const path = one(t.store, request, HT + 'absolutePath')!.value.replace('$LOCATION$', location).replace(/^\/gsp/, '/store')
      const method = one(t.store, request, HT + 'methodName')!.value
      const body = bodyOf(t.store, request)
      const url = origin + path
      const res = await fetch(url, { method, headers: headers(t.store, request), body: body === undefined ? undefined : encode(body) })
      const resp = one(t.store, request, HT + 'resp')!
      const why = await check(t.store, resp, res, url)
      if (why !== undefined) return { status: 'fail', reason: `${method} ${path}: ${why}` }
      if (one(t.store, resp, MF + 'expectedLocation') !== undefined) location = res.headers.get('location') ?? ''
    }
    return { status: 'pass' }
  } catch (err) {
    return { status: 'fail', reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }
  } finally {
    await served.close()
  }
}

/**
 * The service description manifest's tests, which have no mf:action (the action is
 * "GET the endpoint") and so are not listed by loadManifest.
 */
export function serviceDescriptionTests (): TestCase[] {
  const iri = BASE + 'sparql/sparql11/service-description/manifest.ttl'
  const store = new Store(new Parser({ baseIRI: iri }).parse(readText(iri)))
  const manifest = store.getSubjects(RDFNS + 'type', MF + 'Manifest', null)[0]
  return list(store, one(store, manifest, MF + 'entries')).map(t => ({
    iri: t.value,
    type: 'mf:ServiceDescriptionTest',
    name: one(store, t, MF + 'name')?.value ?? t.value,
    manifest: iri,
    directory: 'sparql11/service-description',
    requires: [],
    approval: undefined,
    laxCardinality: false,
    action: t,
    result: undefined,
    store
  }))
}

/** The three service description tests, by name: the description is RDF, names its endpoint, uses sd: as its schema says. */
async function serviceDescriptionTest (t: TestCase, url: string): Promise<Outcome> {
  const res = await fetch(url, { headers: { accept: 'text/turtle' } })
  if (res.status !== 200) return { status: 'fail', reason: `status ${res.status}` }
  const quads = parseGraph(await res.text(), media(res.headers.get('content-type')), url)
  const services = quads.filter(q => q.predicate.value === RDFNS + 'type' && q.object.value === SD + 'Service').map(q => q.subject)
  const name = t.iri.replace(/^.*#/, '')
  if (name === 'returns-rdf') return quads.length > 0 ? { status: 'pass' } : { status: 'fail', reason: 'no triples' }
  if (name === 'has-endpoint-triple') {
    return quads.some(q => services.some(s => s.equals(q.subject)) && q.predicate.value === SD + 'endpoint' && q.object.value === url)
      ? { status: 'pass' }
      : { status: 'fail', reason: `no sd:endpoint <${url}>` }
  }
  // conforms-to-schema: one sd:Service, with an endpoint, a supported language of the sd: ones, dataset and formats typed as the schema says.
  const languages = quads.filter(q => q.predicate.value === SD + 'supportedLanguage').map(q => q.object.value)
  const ok = services.length === 1 && languages.length > 0 && languages.every(l => [SD + 'SPARQL10Query', SD + 'SPARQL11Query', SD + 'SPARQL11Update'].includes(l)) &&
    quads.filter(q => q.predicate.value === SD + 'defaultDataset').every(q => quads.some(d => d.subject.equals(q.object) && d.predicate.value === RDFNS + 'type' && d.object.value === SD + 'Dataset'))
  return ok ? { status: 'pass' } : { status: 'fail', reason: 'the description does not follow the sd: schema' }
}
