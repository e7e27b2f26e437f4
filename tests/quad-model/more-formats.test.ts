/** RDF/XML and JSON-LD read, gzip found by its magic bytes, and Turtle and TriG written as a person would. */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { factory, openGraph, parseRdf, serializeRdf, rdfFormat, formatOfPath, RhizomeError, usedPrefixes, COMMON_PREFIXES, type RDF } from '../../index.js'

const EX = 'http://example.org/'
const RDFXML = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="${EX}">
  <rdf:Description rdf:about="${EX}a">
    <ex:name>Alice</ex:name>
    <ex:knows rdf:nodeID="b"/>
  </rdf:Description>
</rdf:RDF>
`
const JSONLD = JSON.stringify({ '@context': { ex: EX }, '@id': `${EX}a`, 'ex:name': 'Alice', 'ex:knows': { '@id': '_:b' } })

async function all (quads: AsyncIterable<RDF.Quad>): Promise<RDF.Quad[]> {
  const out: RDF.Quad[] = []
  for await (const q of quads) out.push(q)
  return out
}

async function text (chunks: AsyncIterable<string>): Promise<string> {
  let out = ''
  for await (const c of chunks) out += c
  return out
}

async function errorOf (promise: Promise<unknown>): Promise<RhizomeError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof RhizomeError) return err
    throw err
  }
  throw new Error('expected an error')
}

const expected = [
  factory.quad(factory.namedNode(`${EX}a`), factory.namedNode(`${EX}name`), factory.literal('Alice')),
  factory.quad(factory.namedNode(`${EX}a`), factory.namedNode(`${EX}knows`), factory.blankNode('b'))
]

describe('RDF/XML and JSON-LD', () => {
  it('names and extensions of the two formats', () => {
    expect(rdfFormat('rdf')).toBe('rdfxml')
    expect(rdfFormat('application/rdf+xml')).toBe('rdfxml')
    expect(rdfFormat('jsonld')).toBe('jsonld')
    expect(rdfFormat('application/ld+json')).toBe('jsonld')
    expect(formatOfPath('x.rdf')).toBe('rdfxml')
    expect(formatOfPath('x.owl.gz')).toBe('rdfxml')
    expect(formatOfPath('x.jsonld')).toBe('jsonld')
  })

  it('parse to the same graph, from a string, bytes and a chunked stream', async () => {
    for (const [format, doc] of [['rdfxml', RDFXML], ['jsonld', JSONLD]] as const) {
      const bytes = new TextEncoder().encode(doc)
      // Split inside the document, one byte at a time at the start.
      const chunks = [bytes.slice(0, 1), bytes.slice(1, 2), bytes.slice(2, 40), bytes.slice(40)]
      for (const input of [doc, bytes, chunks]) {
        const quads = await all(parseRdf(input, { format }))
        expect(isomorphic(quads, expected), `${format}`).toBe(true)
      }
    }
  })

  it('a syntax error is ERR_INVALID_RDF, on its line for RDF/XML', async () => {
    const broken = RDFXML.replace('</ex:name>', '</ex:nam>')
    const err = await errorOf(all(parseRdf(broken, { format: 'rdfxml' })))
    expect(err.code).toBe('ERR_INVALID_RDF')
    expect(err.message).toMatch(/^line 4: /)
    const json = await errorOf(all(parseRdf('{"@id": "http://e/a", , }', { format: 'jsonld' })))
    expect(json.code).toBe('ERR_INVALID_RDF')
  })

  it('a remote JSON-LD context is not fetched: ERR_REMOTE_CONTEXT, unless the context is given', async () => {
    const doc = JSON.stringify({ '@context': 'https://example.org/context.jsonld', '@id': `${EX}a`, name: 'Alice' })
    const err = await errorOf(all(parseRdf(doc, { format: 'jsonld' })))
    expect(err.code).toBe('ERR_REMOTE_CONTEXT')
    expect(err.message).toContain('https://example.org/context.jsonld')
    const given = await all(parseRdf(doc, { format: 'jsonld', contexts: { 'https://example.org/context.jsonld': { '@context': { name: `${EX}name` } } } }))
    expect(given).toHaveLength(1)
    expect(given[0].predicate.value).toBe(`${EX}name`)
  })

  it('graph.import reads both, and JSON-LD named graphs', async () => {
    const graph = await openGraph()
    await graph.import(RDFXML, { format: 'rdfxml' })
    await graph.import(JSON.stringify({ '@id': `${EX}g`, '@graph': [{ '@id': `${EX}c`, [`${EX}p`]: 1 }] }), { format: 'jsonld' })
    expect(await graph.size()).toBe(3)
    const inG = await all(graph.match(undefined, undefined, undefined, factory.namedNode(`${EX}g`)))
    expect(inG).toHaveLength(1)
    await graph.close()
  })
})

describe('gzip by magic bytes', () => {
  it('gunzips bytes and streams that begin with 1f 8b, whatever their name', async () => {
    const nt = `<${EX}a> <${EX}p> "1" .\n<${EX}a> <${EX}p> "2" .\n`
    const zipped = gzipSync(nt)
    expect(await all(parseRdf(zipped, { format: 'ntriples' }))).toHaveLength(2)
    const pieces = [zipped.subarray(0, 1), zipped.subarray(1, 7), zipped.subarray(7)]
    expect(await all(parseRdf(pieces, { format: 'ntriples' }))).toHaveLength(2)
    const web = new ReadableStream<Uint8Array>({ start (c) { c.enqueue(new Uint8Array(zipped)); c.close() } })
    expect(await all(parseRdf(web, { format: 'ntriples' }))).toHaveLength(2)
    const graph = await openGraph()
    await graph.import(pieces, { format: 'nt' })
    expect(await graph.size()).toBe(2)
    await graph.close()
  })

  it('broken gzip is ERR_READ_INPUT', async () => {
    const zipped = gzipSync('<http://e/a> <http://e/p> "1" .\n')
    const err = await errorOf(all(parseRdf(zipped.subarray(0, zipped.length - 6), { format: 'ntriples' })))
    expect(['ERR_READ_INPUT', 'ERR_INVALID_RDF']).toContain(err.code)
  })
})

describe('Turtle and TriG written as a person would', () => {
  const s = (l: string): RDF.NamedNode => factory.namedNode(EX + l)
  const quads = [
    factory.quad(s('a'), factory.namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), s('Person')),
    factory.quad(s('a'), s('name'), factory.literal('Alice "A"\n')),
    factory.quad(s('a'), s('age'), factory.literal('42', factory.namedNode('http://www.w3.org/2001/XMLSchema#integer'))),
    factory.quad(s('a'), s('knows'), s('b')),
    factory.quad(s('a'), s('knows'), s('c')),
    factory.quad(s('b'), s('name'), factory.literal('Bob', 'en')),
    factory.quad(s('b'), s('weird'), factory.namedNode('http://other.org/x'))
  ]

  it('Turtle: prefixes at the top, one statement per subject, a, bare numbers; reads back the same', async () => {
    const out = await text(serializeRdf(quads, { format: 'turtle', prefixes: { ex: EX } }))
    expect(out).toBe([
      `@prefix ex: <${EX}> .`,
      '',
      'ex:a a ex:Person ;',
      '    ex:name "Alice \\"A\\"\\n" ;',
      '    ex:age 42 ;',
      '    ex:knows ex:b, ex:c .',
      '',
      'ex:b ex:name "Bob"@en ;',
      '    ex:weird <http://other.org/x> .',
      ''
    ].join('\n'))
    expect(isomorphic(new Parser({ format: 'Turtle' }).parse(out) as RDF.Quad[], quads)).toBe(true)
  })

  it('TriG: one block per graph; reads back the same', async () => {
    const g = s('g')
    const input = [
      factory.quad(s('a'), s('p'), s('b')),
      factory.quad(s('a'), s('p'), s('c'), g),
      factory.quad(s('a'), s('q'), s('c'), g),
      factory.quad(s('d'), s('q'), s('c'), g)
    ]
    const out = await text(serializeRdf(input, { format: 'trig', prefixes: { ex: EX } }))
    expect(out).toBe([
      `@prefix ex: <${EX}> .`,
      '',
      'ex:a ex:p ex:b .',
      '',
      'ex:g {',
      '    ex:a ex:p ex:c ;',
      '        ex:q ex:c .',
      '    ex:d ex:q ex:c .',
      '}',
      ''
    ].join('\n'))
    expect(isomorphic(new Parser({ format: 'TriG' }).parse(out) as RDF.Quad[], input)).toBe(true)
  })

  it('rdf:type comes first in its subject\'s statement, whatever order the store gives', async () => {
    const input = [
      factory.quad(s('a'), s('name'), factory.literal('A')),
      factory.quad(s('a'), factory.namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), s('T')),
      factory.quad(s('b'), s('name'), factory.literal('B'))
    ]
    const out = await text(serializeRdf(input, { format: 'turtle', prefixes: { ex: EX } }))
    expect(out).toBe(`@prefix ex: <${EX}> .\n\nex:a a ex:T ;\n    ex:name "A" .\n\nex:b ex:name "B" .\n`)
  })

  it('a triple in two graphs is written once in a triple syntax', async () => {
    const input = [factory.quad(s('a'), s('p'), s('b'), s('g1')), factory.quad(s('a'), s('p'), s('b'), s('g2'))]
    expect((await text(serializeRdf(input, { format: 'ntriples' }))).trim().split('\n')).toHaveLength(1)
    expect((await text(serializeRdf(input, { format: 'turtle' }))).match(/ \./g)).toHaveLength(1)
    const apart = [input[0], factory.quad(s('z'), s('p'), s('b')), input[1]]
    expect((await text(serializeRdf(apart, { format: 'ntriples', distinct: true }))).trim().split('\n')).toHaveLength(2)
  })

  it('usedPrefixes keeps the common prefixes the data uses', async () => {
    const used = await usedPrefixes([
      factory.quad(s('a'), factory.namedNode('http://xmlns.com/foaf/0.1/name'), factory.literal('1', factory.namedNode('http://www.w3.org/2001/XMLSchema#integer'))),
      factory.quad(s('a'), factory.namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), factory.namedNode('http://www.w3.org/2000/01/rdf-schema#Class'))
    ], COMMON_PREFIXES)
    expect(used).toEqual({ foaf: COMMON_PREFIXES.foaf, rdfs: COMMON_PREFIXES.rdfs })
  })

  it('RDF/XML and JSON-LD are read, not written: ERR_UNKNOWN_FORMAT', async () => {
    const err = await errorOf(text(serializeRdf(quads, { format: 'rdfxml' })))
    expect(err.code).toBe('ERR_UNKNOWN_FORMAT')
  })
})
