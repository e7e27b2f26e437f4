import { describe, it, expect } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import { factory, isCid, parseRdf, InvalidRdfError, type RDF } from '../../index.js'
import { termKey, termFromKey, encodeDelta, assertDeltaChunk, assertStorableQuad, MAX_BLOCK_BYTES, BlankNodeScope, DeltaBuilder, forEachParsedQuad, assertQuadShape, keysAreUnambiguous, encodeChunk, type KeyQuad } from '../../quad-model/index.js'
import { encodeBlock } from '../../merkle-clock/index.js'

const XSD = 'http://www.w3.org/2001/XMLSchema#'

describe('canonical term strings', () => {
  const table: Array<[string, RDF.Term, string]> = [
    ['an IRI', factory.namedNode('http://example.org/a'), 'http://example.org/a'],
    ['a blank node', factory.blankNode('b1'), '_:b1'],
    ['a plain literal', factory.literal('plain'), '"plain"'],
    ['a language-tagged literal', factory.literal('chat', 'fr'), '"chat"@fr'],
    ['a typed literal, kept as written', factory.literal('01', factory.namedNode(XSD + 'integer')), `"01"^^${XSD}integer`],
    ['a literal holding quotes and @', factory.literal('say "hi"@x^^y'), '"say "hi"@x^^y"'],
    ['an empty literal', factory.literal(''), '""'],
    ['the default graph', factory.defaultGraph(), '']
  ]
  it.each(table)('%s', (_, term, key) => {
    expect(termKey(term)).toBe(key)
    expect(termFromKey(key).equals(term)).toBe(true)
  })

  it('keeps "01"^^xsd:integer distinct from "1"^^xsd:integer', () => {
    const a = factory.literal('01', factory.namedNode(XSD + 'integer'))
    const b = factory.literal('1', factory.namedNode(XSD + 'integer'))
    expect(termKey(a)).not.toBe(termKey(b))
  })
})

describe('canonical term strings of N3 literals', () => {
  // termKey reads N3's literals from their internal id; any RDF/JS literal must get the same key.
  const plain = (value: string, language: string, datatype: string): RDF.Literal =>
    ({ termType: 'Literal', value, language, datatype: { termType: 'NamedNode', value: datatype }, equals: () => false }) as unknown as RDF.Literal
  const table: Array<[string, RDF.Literal, RDF.Literal]> = [
    ['plain', factory.literal('a "quoted" value'), plain('a "quoted" value', '', XSD + 'string')],
    ['explicit xsd:string', factory.literal('x', factory.namedNode(XSD + 'string')), plain('x', '', XSD + 'string')],
    ['typed', factory.literal('1', factory.namedNode(XSD + 'integer')), plain('1', '', XSD + 'integer')],
    ['typed, ending in xsd:string', factory.literal('1', factory.namedNode('http://example.org/t' + XSD + 'string')), plain('1', '', 'http://example.org/t' + XSD + 'string')],
    ['language-tagged', factory.literal('chat', 'FR'), plain('chat', 'fr', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString')],
    ['with a direction', factory.literal('chat', { language: 'fr', direction: 'ltr' } as never), plain('chat', 'fr', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString')]
  ]
  it.each(table)('%s', (_, n3, other) => {
    expect(termKey(n3)).toBe(termKey(other))
  })
})

describe('storable quads', () => {
  const s = factory.namedNode('http://example.org/s')
  const p = factory.namedNode('http://example.org/p')
  const bad: Array<[string, RDF.Quad]> = [
    ['a relative IRI', factory.quad(factory.namedNode('relative'), p, s)],
    ['an IRI with a space', factory.quad(factory.namedNode('http://a b'), p, s)],
    ['a blank predicate', factory.quad(s, factory.blankNode('x') as never, s)],
    ['a literal subject', factory.quad(factory.literal('x') as never, p, s)],
    ['a literal graph', factory.quad(s, p, s, factory.literal('g') as never)],
    ['a variable', factory.quad(s, p, factory.variable!('x') as never)],
    ['a bad language tag', factory.quad(s, p, factory.literal('x', 'not a tag'))]
  ]
  it.each(bad)('rejects %s', (_, quad) => {
    expect(() => assertStorableQuad(quad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RDF' }))
  })

  it('checks the kinds of terms apart from their text', () => {
    expect(() => assertQuadShape(factory.quad(factory.namedNode('relative'), p, s))).not.toThrow()
    expect(() => assertQuadShape(factory.quad(factory.literal('x') as never, p, s))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RDF' }))
  })

  it('tells which quads have keys that could stand for a term of another kind', () => {
    expect(keysAreUnambiguous(factory.quad(s, p, factory.literal('x'), factory.blankNode('g')))).toBe(true)
    for (const iri of ['"x"', '_:b', '']) {
      expect(keysAreUnambiguous(factory.quad(s, p, factory.namedNode(iri)))).toBe(false)
      expect(termKey(factory.namedNode(iri))).toBe(termKey(termFromKey(termKey(factory.namedNode(iri)))))
    }
  })
})

describe('parsing in bulk', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `<http://example.org/s${i % 97}> <http://example.org/p> "${i}" .\n`).join('')

  it('calls back once per quad, renaming blank nodes and applying the graph option as parseRdf does', async () => {
    const text = '_:b0 <http://example.org/p> "é" .\n<http://example.org/s> <http://example.org/p> _:b0 .\n'
    const seen: RDF.Quad[] = []
    const g = factory.namedNode('http://example.org/g')
    await forEachParsedQuad(text, { format: 'ntriples', graph: g }, quad => seen.push(quad))
    expect(seen).toHaveLength(2)
    expect(seen[0].subject.termType).toBe('BlankNode')
    expect(seen[0].subject.value).not.toBe('b0')
    expect(seen[1].object.equals(seen[0].subject)).toBe(true)
    expect(seen.every(q => q.graph.equals(g))).toBe(true)
    const again = await Array.fromAsync(parseRdf(text, { format: 'ntriples', graph: g }))
    expect(again.map(q => q.object.termType)).toEqual(seen.map(q => q.object.termType))
    expect(again[0].subject.equals(seen[0].subject)).toBe(false)
  })

  it('names the line of the quad its callback rejects', async () => {
    const err = await forEachParsedQuad(lines(70_000), { format: 'ntriples' }, quad => {
      if (quad.object.value === '60000') throw new InvalidRdfError('not this one')
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_INVALID_RDF', line: 60_001, message: 'line 60001: not this one' })
  })

  it('passes on other errors of its callback as they are', async () => {
    const bug = new TypeError('a bug')
    await expect(forEachParsedQuad(lines(10), { format: 'ntriples' }, () => { throw bug })).rejects.toBe(bug)
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    let count = 0
    const done = forEachParsedQuad(lines(50_000), { format: 'ntriples', signal: controller.signal }, () => { if (++count === 10) controller.abort() })
    await expect(done).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(count).toBeLessThan(50_000)
  })

  it('reads a character split between chunks, strings after bytes included', async () => {
    const bytes = new TextEncoder().encode('<http://example.org/s> <http://example.org/p> "é')
    const chunks = [bytes.subarray(0, bytes.length - 1), bytes.subarray(bytes.length - 1), '" .\n', '<http://example.org/s> <http://example.org/p> "ü" .\n']
    const quads = await Array.fromAsync(parseRdf(chunks, { format: 'ntriples' }))
    expect(quads.map(q => q.object.value)).toEqual(['é', 'ü'])
  })
})

describe('direct chunk encoding', () => {
  const bytesOf = (chunks: ReturnType<typeof encodeDelta>): Array<[Uint8Array, Uint8Array]> => chunks.map(c => [encodeChunk(c), dagCbor.encode(c)])

  it('gives the bytes @ipld/dag-cbor gives, for every length of head', () => {
    const long = (n: number): string => 'x'.repeat(n)
    const terms = ['', '"é"', '"😀 and \ud800 alone"', `"${long(23)}"`, `"${long(300)}"`, `"${long(70_000)}"`, `"${'é'.repeat(40_000)}"`]
    const quads: KeyQuad[] = Array.from({ length: 70_000 }, (_, i) => [`http://example.org/s${i}`, 'http://example.org/p', terms[i % terms.length], i % 5 === 0 ? '' : 'http://example.org/g'])
    for (const [direct, generic] of bytesOf(encodeDelta(quads))) expect(Buffer.from(direct).equals(generic)).toBe(true)
    // Indexes past 65,535, more than a block holds, to reach the longest integer head.
    const t = Array.from({ length: 70_000 }, (_, i) => `"${String(i).padStart(5, '0')}"`)
    const big = { t, a: [0, 23, 24, 255, 256, 65_535, 65_536, 69_999], r: [], c: [] }
    expect(bytesOf([big]).every(([direct, generic]) => Buffer.from(direct).equals(generic))).toBe(true)
  })

  it('encodes removals and their tags', () => {
    const tag = encodeBlock({ x: 1 }).cid
    const other = encodeBlock({ x: 2 }).cid
    const removals = Array.from({ length: 30 }, (_, i) => ({ quad: [`http://example.org/s${i}`, 'http://example.org/p', `"${i}"`, ''] as const, tag: i % 2 === 0 ? tag : other }))
    const chunks = encodeDelta([['http://example.org/a', 'http://example.org/p', '"x"', '']], removals)
    for (const [direct, generic] of bytesOf(chunks)) expect(Buffer.from(direct).equals(generic)).toBe(true)
    expect(bytesOf(encodeDelta([]))).toEqual([])
  })
})

describe('delta builder', () => {
  it('mirrors through takeProgress what it interned, whatever order terms come in', () => {
    const builder = new DeltaBuilder()
    const input: KeyQuad[] = []
    const mirror: string[] = []
    const out: KeyQuad[] = []
    const take = (): void => {
      const { terms, quads } = builder.takeProgress()
      mirror.push(...terms)
      for (let i = 0; i < quads.length; i += 4) out.push([mirror[quads[i]], mirror[quads[i + 1]], mirror[quads[i + 2]], mirror[quads[i + 3]]])
    }
    for (let i = 0; i < 3000; i++) {
      // Runs of one subject, predicates and graphs that change now and then, terms shared across positions.
      const q: KeyQuad = [`http://example.org/s${Math.floor(i / 5) % 40}`, `http://example.org/p${i % 3}`, i % 4 === 0 ? `http://example.org/s${i % 40}` : `"${i % 50}"`, i % 7 === 0 ? 'http://example.org/g' : '']
      input.push(q)
      builder.add(...q)
      if (i % 333 === 0) take()
    }
    take()
    expect(out).toEqual(input)
    expect(builder.termCount).toBe(new Set(input.flat()).size)
  })
})

describe('delta encoding', () => {
  const q = (i: number): KeyQuad => [`http://example.org/s${i % 7}`, 'http://example.org/p', `"${i}"`, i % 3 === 0 ? 'http://example.org/g' : '']

  it('is canonical: the same set of quads in any order, with duplicates, gives the same bytes', () => {
    const quads = Array.from({ length: 50 }, (_, i) => q(i))
    const shuffled = [...quads].reverse().concat(quads.slice(0, 10))
    const a = encodeDelta(quads).map(c => encodeBlock(c).cid.toString())
    const b = encodeDelta(shuffled).map(c => encodeBlock(c).cid.toString())
    expect(a).toEqual(b)
  })

  it('splits a delta too large for one block into chunks that each fit, and decode back to the same quads', () => {
    const long = 'x'.repeat(200)
    const quads = Array.from({ length: 12_000 }, (_, i): KeyQuad => [`http://example.org/s${i}`, 'http://example.org/p', `"${long}${i}"`, ''])
    const chunks = encodeDelta(quads)
    expect(chunks.length).toBeGreaterThan(1)
    const decoded = new Set<string>()
    for (const chunk of chunks) {
      const bytes = dagCbor.encode(chunk)
      expect(bytes.length).toBeLessThanOrEqual(MAX_BLOCK_BYTES)
      const value = dagCbor.decode(bytes)
      assertDeltaChunk(value, isCid)
      for (let i = 0; i < chunk.a.length; i += 4) decoded.add(chunk.a.slice(i, i + 4).map(x => chunk.t[x]).join('\n'))
    }
    expect(decoded.size).toBe(quads.length)
    expect(encodeDelta([...quads].reverse()).map(c => encodeBlock(c).cid.toString())).toEqual(chunks.map(c => encodeBlock(c).cid.toString()))
  })

  it('uses a term table: each IRI is written once per chunk', () => {
    const quads = Array.from({ length: 100 }, (_, i) => q(i))
    const [chunk] = encodeDelta(quads)
    expect(chunk.t.filter(t => t === 'http://example.org/p')).toHaveLength(1)
  })

  const malformed: Array<[string, unknown]> = [
    ['not a map', 7],
    ['unsorted terms', { t: ['b', 'a'], a: [], r: [], c: [] }],
    ['an index out of range', { t: ['http://a'], a: [0, 0, 0, 1], r: [], c: [] }],
    ['additions not in fours', { t: ['http://a'], a: [0, 0, 0], r: [], c: [] }],
    ['a literal subject', { t: ['"x"', 'http://a'], a: [0, 1, 1, 1], r: [], c: [] }],
    ['an unterminated literal in the graph position', { t: ['"x', 'http://a'], a: [1, 1, 1, 0], r: [], c: [] }],
    ['a removal naming no tag', { t: ['http://a'], a: [], r: [0, 0, 0, 0, 0], c: [] }]
  ]
  it.each(malformed)('rejects a chunk with %s', (_, value) => {
    expect(() => assertDeltaChunk(value, isCid)).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_BLOCK' }))
  })
})

describe('blank node scopes', () => {
  it('maps one label to one node within a write, and to different nodes across writes', () => {
    const a = new BlankNodeScope()
    const b = new BlankNodeScope()
    expect(a.rename('b0')).toBe(a.rename('b0'))
    expect(a.rename('b0')).not.toBe(a.rename('b1'))
    expect(a.rename('b0')).not.toBe(b.rename('b0'))
  })
})
