/**
 * The Graph as an RDF/JS Source and Store: Comunica's rdfjs engine (a client written by
 * others) queries a graph passed as its source and gets graph.query's answers; `match`
 * reads as a Stream in both of its modes and as an AsyncIterable; Store's writes are one
 * commit each and report 'end', or 'error' with a code and nothing committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueryEngine } from '@comunica/query-sparql-rdfjs'
import { StreamParser } from 'n3'
import { Readable } from 'node:stream'
import type * as RDF from '@rdfjs/types'
import type { EventEmitter } from 'node:events'
import { openGraph, factory, type Graph } from '../../index.js'
import { toArray } from '../../query/index.js'
import { dump, ex, quad, tempDir } from '../store/helpers.js'

const DATA = `
@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:age 42 ; ex:knows ex:bob .
ex:bob ex:name "Bob"@en ; ex:age 7 .
ex:carol ex:name "Carol" ; ex:knows _:someone .
ex:g1 { ex:alice ex:likes ex:rdf . ex:bob ex:likes ex:sparql }
ex:g2 { ex:carol ex:likes ex:rdf }
`

const QUERIES = [
  'PREFIX ex: <http://example.org/> SELECT ?s ?name WHERE { ?s ex:name ?name } ORDER BY ?name',
  'PREFIX ex: <http://example.org/> SELECT ?s ?o WHERE { ?s ex:knows ?o OPTIONAL { ?o ex:name ?n } } ORDER BY ?s',
  'PREFIX ex: <http://example.org/> SELECT ?x ?age WHERE { ?x ex:age ?age FILTER(?age > 10) }',
  'PREFIX ex: <http://example.org/> SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ex:likes ?o } } ORDER BY ?g ?s',
  'PREFIX ex: <http://example.org/> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
]

function rows (bindings: Array<Map<string, RDF.Term | undefined>>, vars: string[]): string[] {
  return bindings.map(b => vars.map(v => {
    const t = b.get(v)
    if (t === undefined) return `${v}=`
    if (t.termType === 'BlankNode') return `${v}=_:`
    if (t.termType === 'Literal') return `${v}="${t.value}"@${t.language}^^${t.datatype.value}`
    return `${v}=<${t.value}>`
  }).join(' ')).sort()
}

const ended = async (emitter: EventEmitter): Promise<void> => await new Promise((resolve, reject) => {
  emitter.on('end', resolve)
  emitter.on('error', reject)
})

describe('the Graph as an RDF/JS Source, queried by Comunica', () => {
  const dir = tempDir()
  let graph: Graph
  const engine = new QueryEngine()
  beforeAll(async () => {
    graph = await openGraph({ path: dir.path })
    await graph.import(DATA, { format: 'trig' })
  })
  afterAll(async () => { await graph.close(); dir.remove() })

  for (const text of QUERIES) {
    it(text.replace(/^PREFIX \S+ <[^>]+> /, ''), async () => {
      const theirs = await (await engine.queryBindings(text, { sources: [graph] })).toArray()
      const ours = await graph.query(text)
      if (ours.type !== 'bindings') throw new Error('expected bindings')
      const vars = ours.variables.map(v => v.value)
      const mine = (await toArray(ours)).map(s => new Map(vars.map(v => [v, s.get(v)])))
      expect(theirs.length).toBeGreaterThan(0)
      expect(rows(theirs.map(b => new Map(vars.map(v => [v, b.get(v) ?? undefined]))), vars)).toEqual(rows(mine, vars))
    })
  }

  it('answers ASK and CONSTRUCT through Comunica as graph.query does', async () => {
    expect(await engine.queryBoolean('PREFIX ex: <http://example.org/> ASK { ex:alice ex:knows ex:bob }', { sources: [graph] })).toBe(true)
    expect(await engine.queryBoolean('PREFIX ex: <http://example.org/> ASK { ex:bob ex:knows ex:alice }', { sources: [graph] })).toBe(false)
    const built = await (await engine.queryQuads('PREFIX ex: <http://example.org/> CONSTRUCT { ?o ex:knownBy ?s } WHERE { ?s ex:knows ?o }', { sources: [graph] })).toArray()
    expect(built.map(q => q.predicate.value)).toEqual(['http://example.org/knownBy', 'http://example.org/knownBy'])
  })
})

describe('match as an RDF/JS Stream', () => {
  let graph: Graph
  beforeAll(async () => {
    graph = await openGraph()
    await graph.insert([quad('a', 'p', 'b'), quad('a', 'p', 'c'), quad('b', 'p', 'c'), quad('a', 'q', 'c', 'g')])
  })
  afterAll(async () => { await graph.close() })

  const values = (quads: RDF.Quad[]): string[] => quads.map(q => `${q.subject.value} ${q.object.value} ${q.graph.value}`).sort()
  const EXPECTED = ['http://example.org/a http://example.org/b ', 'http://example.org/a http://example.org/c ', 'http://example.org/a http://example.org/c http://example.org/g']

  it("flows to 'data' listeners and then emits 'end' once", async () => {
    const got: RDF.Quad[] = []
    let ends = 0
    const stream = graph.match(ex('a'))
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (q: RDF.Quad) => got.push(q))
      stream.on('error', reject)
      stream.on('end', () => { ends++; resolve() })
    })
    expect(values(got)).toEqual(EXPECTED)
    expect(ends).toBe(1)
  })

  it("gives items to read() after 'readable', then null and 'end'", async () => {
    const got: RDF.Quad[] = []
    const stream = graph.match(ex('a'))
    await new Promise<void>((resolve, reject) => {
      stream.on('readable', () => {
        let q: RDF.Quad | null
        while ((q = stream.read()) !== null) got.push(q)
      })
      stream.on('error', reject)
      stream.on('end', resolve)
    })
    expect(values(got)).toEqual(EXPECTED)
  })

  it('is an AsyncIterable too, and treats null and variables as wildcards', async () => {
    const got: RDF.Quad[] = []
    for await (const q of graph.match(null, (factory.variable as (name: string) => RDF.Variable)('p'), null, null)) got.push(q)
    expect(got).toHaveLength(4)
    const inDefault: RDF.Quad[] = []
    for await (const q of graph.match(ex('a'), null, null, factory.defaultGraph())) inDefault.push(q)
    expect(values(inDefault)).toEqual(EXPECTED.slice(0, 2))
  })

  it("reports a failure as 'error', with a code", async () => {
    const closed = await openGraph()
    const stream = closed.match()
    await closed.close()
    const error = await new Promise<unknown>(resolve => { stream.on('error', resolve); stream.on('data', () => {}) })
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_/) })
  })
})

describe('the Graph as an RDF/JS Store', () => {
  it('imports a stream of quads (an N3 StreamParser) as one commit', async () => {
    const graph = await openGraph()
    try {
      const parser = Readable.from([DATA]).pipe(new StreamParser({ format: 'application/trig' }))
      await ended(graph.import(parser))
      expect(await graph.size()).toBe(10)
      expect(await graph.log()).toHaveLength(1)
    } finally { await graph.close() }
  })

  it('removes a stream, a pattern and a graph, one commit each', async () => {
    const graph = await openGraph()
    try {
      await graph.insert([quad('a', 'p', 'b'), quad('a', 'q', 'c'), quad('b', 'p', 'c'), quad('a', 'p', 'b', 'g'), quad('c', 'p', 'a', 'g')])
      await ended(graph.remove(Readable.from([quad('a', 'q', 'c')])))
      expect(await graph.size()).toBe(4)
      await ended(graph.removeMatches(null, ex('p'), null, factory.defaultGraph()))
      expect(await dump(graph)).toHaveLength(2)
      await ended(graph.deleteGraph('http://example.org/g'))
      expect(await graph.size()).toBe(0)
      expect(await graph.log()).toHaveLength(4)
    } finally { await graph.close() }
  })

  it("emits 'error' with a code for a quad that cannot be stored, and commits nothing", async () => {
    const graph = await openGraph()
    try {
      await graph.insert([quad('a', 'p', 'b')])
      const bad = factory.quad(factory.literal('not a subject') as never, ex('p'), ex('o'))
      const error = await ended(graph.import(Readable.from([quad('x', 'p', 'y'), bad]))).then(() => undefined, (err: unknown) => err)
      expect(error).toMatchObject({ code: 'ERR_INVALID_RDF' })
      expect(await graph.size()).toBe(1)
      expect(await graph.log()).toHaveLength(1)
    } finally { await graph.close() }
  })
})
