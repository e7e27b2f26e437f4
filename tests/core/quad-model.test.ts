import { describe, it, expect } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import {
  factory, termKey, termFromKey, encodeDelta, assertDeltaChunk, assertStorableQuad, isCid, encodeBlock,
  MAX_BLOCK_BYTES, BlankNodeScope, type KeyQuad, type RDF
} from '../../index.js'

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

describe('storable quads', () => {
  const s = factory.namedNode('http://example.org/s')
  const p = factory.namedNode('http://example.org/p')
  const bad: Array<[string, RDF.Quad]> = [
    ['a relative IRI', factory.quad(factory.namedNode('relative'), p, s)],
    ['an IRI with a space', factory.quad(factory.namedNode('http://a b'), p, s)],
    ['a blank predicate', factory.quad(s, factory.blankNode('x') as never, s)],
    ['a literal subject', factory.quad(factory.literal('x') as never, p, s)],
    ['a literal graph', factory.quad(s, p, s, factory.literal('g') as never)],
    ['a variable', factory.quad(s, p, factory.variable('x') as never)],
    ['a bad language tag', factory.quad(s, p, factory.literal('x', 'not a tag'))]
  ]
  it.each(bad)('rejects %s', (_, quad) => {
    expect(() => assertStorableQuad(quad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RDF' }))
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
