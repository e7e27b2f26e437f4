/**
 * The engine's public behaviour: query forms, laziness (LIMIT stops the scans),
 * abort and timeout, result limits, typed errors, literal preservation, dataset
 * options and update atomicity.
 */
import type * as RDF from '@rdfjs/types'
import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  MemorySource, executeQuery, executeUpdate, toArray, QueryAbortedError, QueryTimeoutError, ResultLimitError,
  SparqlSyntaxError, ServiceForbiddenError, LoadError, type QuadPattern, type QuadSource
} from '../../query/index.js'
import { select, show, sourceFrom } from './helpers.js'

const DATA = `
@prefix : <http://ex/> .
:alice :knows :bob ; :age "30"^^<http://www.w3.org/2001/XMLSchema#integer> ; :name "Alice"@en .
:bob :knows :carol ; :age "01"^^<http://www.w3.org/2001/XMLSchema#integer> .
:carol :knows :alice .
:g1 { :dave :knows :erin . }
:g2 { :erin :knows :dave . }
`

/** Wraps a source and counts the quads it hands out. */
class CountingSource implements QuadSource {
  scanned = 0
  constructor (readonly inner: MemorySource) {}
  async * match (p: QuadPattern, o?: { signal?: AbortSignal }): AsyncIterable<RDF.Quad> {
    for await (const q of this.inner.match(p, o)) { this.scanned++; yield q }
  }

  estimate (p: QuadPattern): number { return this.inner.estimate(p) }
  graphs (): AsyncIterable<RDF.NamedNode | RDF.BlankNode> { return this.inner.graphs() }
}

function bigSource (n: number): MemorySource {
  const lines = ['@prefix : <http://ex/> .']
  for (let i = 0; i < n; i++) lines.push(`:s${i} :p :o${i} .`)
  return sourceFrom(lines.join('\n'))
}

describe('query forms', () => {
  const source = sourceFrom(DATA)

  it('answers SELECT with projected variables in order', async () => {
    const result = await executeQuery(source, 'PREFIX : <http://ex/> SELECT ?b ?a { ?a :knows ?b } ORDER BY ?a')
    expect(result.type).toBe('bindings')
    if (result.type !== 'bindings') return
    expect(result.variables.map(v => v.value)).toEqual(['b', 'a'])
    expect((await toArray(result)).map(s => s.get('a')!.value)).toEqual(['http://ex/alice', 'http://ex/bob', 'http://ex/carol'])
  })

  it('answers ASK', async () => {
    expect(await executeQuery(source, 'ASK { <http://ex/alice> ?p ?o }')).toEqual({ type: 'boolean', value: true })
    expect(await executeQuery(source, 'ASK { <http://ex/nobody> ?p ?o }')).toEqual({ type: 'boolean', value: false })
  })

  it('answers CONSTRUCT and DESCRIBE as quads', async () => {
    const c = await executeQuery(source, 'PREFIX : <http://ex/> CONSTRUCT { ?b :knownBy ?a } WHERE { ?a :knows ?b }')
    expect(c.type).toBe('quads')
    if (c.type === 'quads') expect(await toArray(c)).toHaveLength(3)
    const d = await executeQuery(source, 'DESCRIBE <http://ex/alice>')
    if (d.type === 'quads') expect(await toArray(d)).toHaveLength(3)
  })

  it('keeps literals as written while comparing by value', async () => {
    const rows = await select(source, 'PREFIX : <http://ex/> SELECT ?age { ?x :age ?age FILTER(?age = 1) }')
    expect(rows).toEqual([{ age: '"01"^^xsd:integer' }])
  })

  it('queries named graphs, FROM, and the union default graph', async () => {
    expect(await select(source, 'PREFIX : <http://ex/> SELECT ?g { GRAPH ?g { :dave :knows ?x } }')).toEqual([{ g: '<http://ex/g1>' }])
    expect(await select(source, 'PREFIX : <http://ex/> SELECT ?x FROM :g2 { ?x :knows :dave }')).toEqual([{ x: '<http://ex/erin>' }])
    expect(await select(source, 'PREFIX : <http://ex/> SELECT ?x { ?x :knows :dave }')).toEqual([])
    expect(await select(source, 'PREFIX : <http://ex/> SELECT ?x { ?x :knows :dave }', { defaultGraphAsUnion: true })).toEqual([{ x: '<http://ex/erin>' }])
  })

  it('evaluates property paths', async () => {
    const rows = await select(source, 'PREFIX : <http://ex/> SELECT ?x { :alice :knows+ ?x } ORDER BY ?x')
    expect(rows.map(r => r.x)).toEqual(['<http://ex/alice>', '<http://ex/bob>', '<http://ex/carol>'])
  })

  it('refuses SERVICE to an endpoint the caller has not allowed, with a typed error', async () => {
    const r = await executeQuery(source, 'SELECT * { SERVICE <http://remote/> { ?s ?p ?o } }')
    if (r.type !== 'bindings') throw new Error('bindings expected')
    await expect(toArray(r)).rejects.toBeInstanceOf(ServiceForbiddenError)
  })
})

describe('laziness and limits', () => {
  it('stops the scan when LIMIT is reached', async () => {
    const source = new CountingSource(bigSource(5000))
    const rows = await toArray(await executeQuery(source, 'SELECT * { ?s ?p ?o } LIMIT 3') as AsyncIterable<unknown>)
    expect(rows).toHaveLength(3)
    expect(source.scanned).toBeLessThan(10)
  })

  it('stops when the consumer stops iterating', async () => {
    const source = new CountingSource(bigSource(5000))
    const result = await executeQuery(source, 'SELECT * { ?s ?p ?o . ?s ?p ?o2 }')
    if (result.type !== 'bindings') throw new Error('bindings expected')
    for await (const _ of result) break
    expect(source.scanned).toBeLessThan(10)
  })

  it('throws QueryAbortedError when the signal aborts', async () => {
    const controller = new AbortController()
    const result = await executeQuery(bigSource(3000), 'SELECT * { ?s ?p ?o . ?a ?b ?c }', { signal: controller.signal })
    if (result.type !== 'bindings') throw new Error('bindings expected')
    let n = 0
    await expect((async () => {
      for await (const _ of result) { if (++n === 10) controller.abort() }
    })()).rejects.toBeInstanceOf(QueryAbortedError)
    expect(n).toBe(10)
  })

  it('throws QueryTimeoutError past timeoutMs', async () => {
    const result = await executeQuery(bigSource(3000), 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o . ?a ?b ?c }', { timeoutMs: 50 })
    if (result.type !== 'bindings') throw new Error('bindings expected')
    const started = Date.now()
    await expect(toArray(result)).rejects.toBeInstanceOf(QueryTimeoutError)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('throws ResultLimitError past the result limit', async () => {
    const result = await executeQuery(bigSource(100), 'SELECT * { ?s ?p ?o }', { limit: 10 })
    if (result.type !== 'bindings') throw new Error('bindings expected')
    await expect(toArray(result)).rejects.toBeInstanceOf(ResultLimitError)
  })
})

describe('errors', () => {
  const source = new MemorySource()
  const bad: Array<[string, RegExp]> = [
    ['SELECT * WHERE { ?s ?p }', /line 1/],
    ['SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}', /line 4/],
    ['SELECT * { ex:a ?p ?o }', /prefix/i],
    ['SELECT * { _:a ?p ?o OPTIONAL { _:a ?q ?r } }', /_:a.*more than one basic graph pattern/],
    ['SELECT (1 AS ?x) (2 AS ?x) {}', /./],
    ['DELETE DATA { _:b <http://p> 1 }', /blank node/]
  ]
  it.each(bad)('rejects %j with a SparqlSyntaxError', async (text, message) => {
    const run = text.startsWith('DELETE') ? executeUpdate(source, text) : executeQuery(source, text)
    const error = await run.then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(SparqlSyntaxError)
    expect((error as SparqlSyntaxError).code).toBe('ERR_SPARQL_SYNTAX')
    expect((error as Error).message).toMatch(message)
  })
})

describe('update', () => {
  it('applies a request as one commit, later operations seeing earlier ones', async () => {
    const target = new MemorySource()
    const summary = await executeUpdate(target, `PREFIX : <http://ex/>
      INSERT DATA { :a :p 1 . :b :p 2 } ;
      DELETE { ?s :p ?o } INSERT { ?s :q ?o } WHERE { ?s :p ?o FILTER(?o > 1) } ;
      INSERT DATA { GRAPH :g { :c :p 3 } }`)
    expect(target.commits).toBe(1)
    expect(summary).toEqual({ inserted: 3, deleted: 0 })
    expect(await select(target, 'SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s')).toEqual([
      { s: '<http://ex/a>', p: '<http://ex/p>', o: '"1"^^xsd:integer' },
      { s: '<http://ex/b>', p: '<http://ex/q>', o: '"2"^^xsd:integer' }
    ])
  })

  it('commits nothing when an operation fails', async () => {
    const target = sourceFrom('<http://ex/a> <http://ex/p> 1 .')
    await expect(executeUpdate(target, 'INSERT DATA { <http://ex/b> <http://ex/p> 2 } ; CREATE GRAPH <http://ex/g> ; INSERT DATA { GRAPH <http://ex/g> { <http://ex/x> <http://ex/y> 1 } } ; CREATE GRAPH <http://ex/g>'))
      .rejects.toThrow(/already exists/)
    expect(target.commits).toBe(0)
    expect(target.size).toBe(1)
  })

  it('handles graph management operations', async () => {
    const target = sourceFrom('<http://ex/a> <http://ex/p> 1 . <http://ex/g> { <http://ex/b> <http://ex/p> 2 }')
    await executeUpdate(target, 'COPY <http://ex/g> TO DEFAULT ; MOVE DEFAULT TO <http://ex/h> ; ADD <http://ex/h> TO <http://ex/g> ; DROP SILENT GRAPH <http://ex/none>')
    const rows = await select(target, 'SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s')
    expect(rows).toEqual([{ g: '<http://ex/g>', s: '<http://ex/b>' }, { g: '<http://ex/h>', s: '<http://ex/b>' }])
  })

  it('LOADs a local file: IRI inside an allowed folder, and fails with LoadError otherwise', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rhizome-load-'))
    const file = path.join(dir, 'data.ttl')
    writeFileSync(file, '<http://ex/a> <http://ex/p> "loaded" .')
    const target = new MemorySource()
    await executeUpdate(target, `LOAD <${pathToFileURL(file).href}> INTO GRAPH <http://ex/g>`, { allowFiles: [dir] })
    expect(await select(target, 'SELECT ?o { GRAPH <http://ex/g> { ?s ?p ?o } }')).toEqual([{ o: '"loaded"' }])
    await expect(executeUpdate(target, 'LOAD <http://example.org/remote.ttl>')).rejects.toBeInstanceOf(LoadError)
    await executeUpdate(target, 'LOAD SILENT <http://example.org/remote.ttl>')
  })
})

export { show }
