/**
 * Runs one W3C SPARQL test case against the engine over a MemorySource (or, for
 * query evaluation, over the store itself) and says whether it passed, failed
 * (with why) or is out of scope (with why).
 */
import type * as RDF from '@rdfjs/types'
import { readFileSync } from 'node:fs'
import sparqljs from 'sparqljs'
import { DataFactory } from 'rdf-data-factory'
import {
  MemorySource, executeQuery, executeUpdate, parseSparql, toArray, writeResultsCsv, writeResultsJson,
  type FederationOptions, type QueryResult
} from '../../query/index.js'
import { openGraph } from '../../index.js'
import {
  type TestCase, MF, QT, UT, RDFS, all, exists, isEntailment, one, readRdf, readText, iriToPath
} from './w3c-suite.js'
import { type Row, laxSameSolutions, parseCsvRows, readExpected, sameGraph, sameOrder, sameSolutions } from './w3c-results.js'

const df = new DataFactory()

export type Outcome = { status: 'pass' } | { status: 'fail', reason: string } | { status: 'skip', reason: string }

const SKIP_TYPES: Record<string, string> = {
  'mf:ProtocolTest': 'SPARQL Protocol needs an HTTP endpoint (comes with the HTTP issue)',
  'mf:GraphStoreProtocolTest': 'Graph Store Protocol needs an HTTP endpoint',
  'mf:ServiceDescriptionTest': 'service descriptions need an HTTP endpoint',
  'mf:ServiceDescription': 'service descriptions need an HTTP endpoint'
}

export function skipReason (t: TestCase): string | undefined {
  const s = SKIP_TYPES[t.type]
  if (s !== undefined) return s
  if (isEntailment(t)) return 'entailment regimes are out of scope'
  return undefined
}

/** `store`: query evaluation over the real store (an in-memory graph) instead of a MemorySource. */
export interface RunOptions { store?: boolean }

export async function runTestCase (t: TestCase, options: RunOptions = {}): Promise<Outcome> {
  const skip = skipReason(t)
  if (skip !== undefined) return { status: 'skip', reason: skip }
  try {
    switch (t.type) {
      case 'mf:PositiveSyntaxTest': case 'mf:PositiveSyntaxTest11': case 'mf:PositiveUpdateSyntaxTest11': case 'mf:PositiveUpdateSyntaxTest':
      case 'mf:NegativeSyntaxTest': case 'mf:NegativeSyntaxTest11': case 'mf:NegativeUpdateSyntaxTest11': case 'mf:NegativeUpdateSyntaxTest':
        return syntaxTest(t)
      case 'mf:QueryEvaluationTest': case 'mf:CSVResultFormatTest':
        return await queryTest(t, options.store === true)
      case 'mf:UpdateEvaluationTest': case 'ut:UpdateEvaluationTest':
        return await updateTest(t)
      default:
        if (t.type.endsWith('UpdateEvaluationTest')) return await updateTest(t)
        return { status: 'skip', reason: `unknown test type ${t.type}` }
    }
  } catch (e) {
    return { status: 'fail', reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }
  }
}

function syntaxTest (t: TestCase): Outcome {
  const iri = t.action.value
  const positive = t.type.includes('Positive')
  const update = t.type.includes('Update') || iri.endsWith('.ru')
  let error: unknown
  try {
    const ast = parseSparql(readText(iri), { baseIRI: iri })
    if ((ast.type === 'update') !== update) error = new Error(`parsed as ${ast.type}`)
  } catch (e) { error = e }
  if (positive && error !== undefined) return { status: 'fail', reason: `rejected: ${String((error as Error).message)}` }
  if (!positive && error === undefined) return { status: 'fail', reason: 'accepted an invalid query' }
  return { status: 'pass' }
}

function loadInto (store: MemorySource, iri: string, graph: RDF.Quad_Graph): void {
  for (const q of readRdf(iri)) store.add(df.quad(q.subject, q.predicate, q.object, graph))
}

async function queryTest (t: TestCase, overStore: boolean): Promise<Outcome> {
  const a = t.action
  const queryIri = one(t.store, a, QT + 'query')!.value
  const text = readText(queryIri)
  const store = new MemorySource()
  for (const d of all(t.store, a, QT + 'data')) loadInto(store, d.value, df.defaultGraph())
  for (const g of all(t.store, a, QT + 'graphData')) loadInto(store, g.value, df.namedNode(g.value))
  // FROM / FROM NAMED files are the harness's to load (README): under their own IRIs.
  const ast = parseSparql(text, { baseIRI: queryIri }) as sparqljs.Query
  for (const g of [...(ast.from?.default ?? []), ...(ast.from?.named ?? [])]) {
    if (exists(g.value)) loadInto(store, g.value, g)
  }
  const federation = t.directory.endsWith('/service') ? mockEndpoints(t) : undefined
  let result: QueryResult
  if (overStore) {
    const graph = await openGraph()
    try {
      if (store.size > 0) await graph.insert(store.all())
      const answer = await graph.query(text, { baseIRI: queryIri, federation })
      // Read the answer before the graph closes.
      result = answer.type === 'boolean' ? answer : Object.assign(await toArray(answer as AsyncIterable<never>), { type: answer.type, variables: (answer as { variables?: unknown }).variables }) as unknown as QueryResult
    } finally {
      await graph.close()
    }
  } else {
    result = await executeQuery(store, text, { baseIRI: queryIri, federation })
  }
  const expectedIri = t.result!.value
  if (t.type === 'mf:CSVResultFormatTest') return await compareCsv(result, readFileSync(iriToPath(expectedIri), 'utf8'))
  const expected = readExpected(expectedIri)
  return await compare(result, expected, t, ast)
}

/**
 * The SERVICE tests' endpoints (qt:serviceData: an endpoint IRI and its data), answered
 * by this engine over their data through the SPARQL 1.1 Protocol's shape (a POSTed query,
 * JSON results). Any other endpoint cannot be reached, as an unknown host would not be.
 */
function mockEndpoints (t: TestCase): FederationOptions {
  const endpoints = new Map<string, MemorySource>()
  for (const s of t.action.termType === 'NamedNode' ? [] : all(t.store, t.action, QT + 'serviceData')) {
    const data = new MemorySource()
    for (const d of all(t.store, s, QT + 'data')) loadInto(data, d.value, df.defaultGraph())
    endpoints.set(one(t.store, s, QT + 'endpoint')!.value, data)
  }
  // The endpoints federate too (service3 and service6 nest a SERVICE in a SERVICE).
  const federation: FederationOptions = {
    allow: ['*'],
    fetch: async (url, init) => {
      const data = endpoints.get(url)
      if (data === undefined) throw new TypeError(`fetch failed: getaddrinfo ENOTFOUND ${new URL(url).host}`)
      let body = ''
      const result = await executeQuery(data, String(init.body), { federation })
      if (result.type === 'quads') throw new Error('a SERVICE call is a SELECT')
      for await (const chunk of writeResultsJson(result)) body += chunk
      return new Response(body, { headers: { 'content-type': 'application/sparql-results+json' } })
    }
  }
  return federation
}

async function compare (result: QueryResult, expected: ReturnType<typeof readExpected>, t: TestCase, ast: sparqljs.Query): Promise<Outcome> {
  if (expected.kind === 'boolean') {
    if (result.type !== 'boolean') return { status: 'fail', reason: `expected a boolean, got ${result.type}` }
    return result.value === expected.value ? { status: 'pass' } : { status: 'fail', reason: `expected ${String(expected.value)}` }
  }
  if (expected.kind === 'graph') {
    if (result.type !== 'quads') return { status: 'fail', reason: `expected a graph, got ${result.type}` }
    const actual = await toArray(result)
    return sameGraph(expected.quads, actual) ? { status: 'pass' } : { status: 'fail', reason: `graph differs (${actual.length} triples, expected ${expected.quads.length})` }
  }
  if (result.type !== 'bindings') return { status: 'fail', reason: `expected bindings, got ${result.type}` }
  const actual: Row[] = (await toArray(result)).map(s => new Map(s))
  const describe = (): string => `got ${actual.length} rows, expected ${expected.rows.length}; ` + diffRows(expected.rows, actual)
  if (t.laxCardinality) return laxSameSolutions(expected.rows, actual) ? { status: 'pass' } : { status: 'fail', reason: describe() }
  if (!sameSolutions(expected.rows, actual)) return { status: 'fail', reason: describe() }
  const order = (ast as sparqljs.SelectQuery).order
  if (order !== undefined && order.length > 0) {
    const keys = order.map(o => o.expression).filter((e): e is RDF.Variable => (e as RDF.Term).termType === 'Variable').map(v => v.value)
    const ok = keys.length === order.length ? sameOrder(expected.rows, actual, keys) : sameOrder(expected.rows, actual, expected.variables)
    if (!ok) return { status: 'fail', reason: 'wrong order: ' + JSON.stringify(actual.slice(0, 6).map(r => Object.fromEntries([...r].map(([k, v]) => [k, v.value])))) }
  }
  return { status: 'pass' }
}

function diffRows (expected: Row[], actual: Row[]): string {
  const key = (r: Row): string => [...r].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => `${k}=${v.termType === 'Literal' ? JSON.stringify(v.value) + (v.language !== '' ? '@' + v.language : '^^' + v.datatype.value.replace('http://www.w3.org/2001/XMLSchema#', 'xsd:')) : v.termType === 'BlankNode' ? '_:' : v.value}`).join(' ')
  const e = expected.map(key); const a = actual.map(key)
  const missing = e.filter(k => !a.includes(k)); const extra = a.filter(k => !e.includes(k))
  return `missing ${JSON.stringify(missing.slice(0, 4))} unexpected ${JSON.stringify(extra.slice(0, 4))}`
}

async function compareCsv (result: QueryResult, expectedText: string): Promise<Outcome> {
  if (result.type !== 'bindings') return { status: 'fail', reason: 'expected bindings' }
  let text = ''
  for await (const chunk of writeResultsCsv(result)) text += chunk
  const e = parseCsvRows(expectedText); const a = parseCsvRows(text)
  const toRows = (x: { header: string[], rows: string[][] }): Row[] => x.rows.map(r => new Map(r.flatMap((f, i) => f === '' ? [] : [[x.header[i]!, f.startsWith('_:') ? df.blankNode(f.slice(2)) : df.literal(f)] as [string, RDF.Term]])))
  if ([...e.header].sort().join() !== [...a.header].sort().join()) return { status: 'fail', reason: `header ${a.header.join()} vs ${e.header.join()}` }
  return sameSolutions(toRows(e), toRows(a)) ? { status: 'pass' } : { status: 'fail', reason: `CSV differs:\n${text}` }
}

function datasetOf (t: TestCase, node: RDF.Term): RDF.Quad[] {
  const quads: RDF.Quad[] = []
  for (const d of all(t.store, node, UT + 'data')) for (const q of readRdf(d.value)) quads.push(df.quad(q.subject, q.predicate, q.object))
  for (const g of all(t.store, node, UT + 'graphData')) {
    const file = one(t.store, g, UT + 'graph')!.value
    const name = df.namedNode(one(t.store, g, RDFS + 'label')!.value)
    for (const q of readRdf(file)) quads.push(df.quad(q.subject, q.predicate, q.object, name))
  }
  return quads
}

async function updateTest (t: TestCase): Promise<Outcome> {
  const a = t.action
  const requestIri = one(t.store, a, UT + 'request')!.value
  const store = new MemorySource(datasetOf(t, a))
  const load = async (iri: string): Promise<RDF.Quad[]> => {
    if (!exists(iri)) throw new Error(`no such document ${iri}`)
    return readRdf(iri)
  }
  const expectSuccess = t.result !== undefined
  try {
    await executeUpdate(store, readText(requestIri), { baseIRI: requestIri, load })
  } catch (e) {
    if (one(t.store, t.result!, UT + 'result')?.value === UT + 'failure') return { status: 'pass' }
    throw e
  }
  if (!expectSuccess) return { status: 'pass' }
  const expected = datasetOf(t, t.result!)
  const actual = store.all()
  return sameGraph(expected, actual) ? { status: 'pass' } : { status: 'fail', reason: `dataset differs: ${actual.length} quads, expected ${expected.length}` }
}

export { MF }
