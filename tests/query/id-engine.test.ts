/**
 * The id-level engine (query/ids/) against the term-level evaluator: the
 * same random queries over the same random data (fast-check, fixed seeds) must
 * give the same multiset of solutions over a MemorySource with and without id
 * access, and over the store itself (the in-memory and the SQLite backend), whose
 * ids, batched lookups and estimates are the real ones.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as RDF from '@rdfjs/types'
import { afterAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { openGraph, type Graph } from '../../index.js'
import { MemorySource, executeQuery, type QuadSource, type QueryResult } from '../../query/index.js'
import { joinTuning } from '../../query/ids/index.js'
import { EX, quadArb, queryArb, toQuad } from './random-queries.js'

/** The same source with its id access hidden: the term-level evaluator only. */
function termsOnly (source: QuadSource): QuadSource {
  return { match: source.match.bind(source), estimate: source.estimate.bind(source), graphs: source.graphs.bind(source) }
}

async function rows (result: QueryResult): Promise<string[]> {
  if (result.type !== 'bindings') throw new Error('bindings expected')
  const out: string[] = []
  for await (const s of result) out.push([...s].map(([k, v]) => `${k}=${v.termType}:${v.value}`).sort().join(' '))
  return out.sort()
}

const run = async (source: QuadSource, query: string): Promise<string[]> => await rows(await executeQuery(source, `PREFIX : <${EX}> ${query}`))

/** Counts the id-level lookups, to tell that the engine really ran on ids. */
function counted (source: MemorySource): { source: QuadSource, lookups: () => number } {
  let n = 0
  const ids = source.ids
  const spied: QuadSource = {
    match: source.match.bind(source),
    estimate: source.estimate.bind(source),
    graphs: source.graphs.bind(source),
    ids: { ...ids, matchIds: async (patterns, options) => { n += patterns.length / 4; return await ids.matchIds(patterns, options) } }
  }
  return { source: spied, lookups: () => n }
}

const folders: string[] = []
afterAll(() => { for (const f of folders) rmSync(f, { recursive: true, force: true }) })

async function storeWith (quads: RDF.Quad[], persistent: boolean): Promise<Graph> {
  const path = persistent ? mkdtempSync(join(tmpdir(), 'rhizome-id-engine-')) : undefined
  if (path !== undefined) folders.push(path)
  const graph = await openGraph(path === undefined ? {} : { path })
  if (quads.length > 0) await graph.insert(quads)
  return graph
}

describe('id-level engine', () => {
  it('runs BGPs, VALUES and paths on ids', async () => {
    const source = new MemorySource([toQuad({ s: 0, p: 0, o: { iri: 1 }, g: -1 }), toQuad({ s: 1, p: 0, o: { iri: 2 }, g: -1 })])
    const spy = counted(source)
    expect(await run(spy.source, 'SELECT * { VALUES ?x { :s0 :s9 } ?x :p0+ ?y }')).toEqual(['x=NamedNode:http://ex/s0 y=NamedNode:http://ex/s1', 'x=NamedNode:http://ex/s0 y=NamedNode:http://ex/s2'])
    expect(spy.lookups()).toBeGreaterThan(0)
  })

  it('gives the term-level answers over a MemorySource', async () => {
    await fc.assert(fc.asyncProperty(fc.array(quadArb, { minLength: 20, maxLength: 80 }), queryArb, async (quads, query) => {
      const source = new MemorySource(quads.map(toQuad))
      expect(await run(source, query), query).toEqual(await run(termsOnly(source), query))
    }), { seed: 7_3_2026, numRuns: 300 })
  })

  it('gives the term-level answers with hash joins and lazy scans wherever they could run', async () => {
    const saved = { ...joinTuning }
    Object.assign(joinTuning, { hashRatio: 0, eagerLimit: 0, lazyUnderLimit: 0 })
    try {
      await fc.assert(fc.asyncProperty(fc.array(quadArb, { minLength: 20, maxLength: 80 }), queryArb, async (quads, query) => {
        const source = new MemorySource(quads.map(toQuad))
        expect(await run(source, query), query).toEqual(await run(termsOnly(source), query))
      }), { seed: 5_2026, numRuns: 200 })
    } finally {
      Object.assign(joinTuning, saved)
    }
  })

  it('gives the term-level answers over the store, in memory and on SQLite', async () => {
    await fc.assert(fc.asyncProperty(fc.array(quadArb, { minLength: 20, maxLength: 60 }), queryArb, fc.boolean(), async (quads, query, persistent) => {
      const data = quads.map(toQuad)
      const graph = await storeWith(data, persistent)
      try {
        const expected = await run(termsOnly(new MemorySource(data)), query)
        expect(await rows(await graph.query(`PREFIX : <${EX}> ${query}`)), query).toEqual(expected)
      } finally {
        await graph.close()
      }
    }), { seed: 11_2026, numRuns: 80 })
  })

  it('keeps nested scans of the same shape apart on SQLite', async () => {
    // The term level (no optimizer: patterns in written order) runs two scans of one shape, one inside the other, on one snapshot.
    // The outer scan must outlast one batch (1,024 rows) for the inner one to cut in.
    const data = Array.from({ length: 1500 }, (_, i) => toQuad({ s: i, p: 0, o: { lit: i }, g: 0 }))
    data.push(toQuad({ s: 0, p: 1, o: { lit: 0 }, g: 0 }), toQuad({ s: 1, p: 1, o: { lit: 1 }, g: 0 }))
    const graph = await storeWith(data, true)
    try {
      const found = await rows(await graph.query(`PREFIX : <${EX}> SELECT ?a ?c FROM NAMED :g0 { GRAPH ?g { ?a :p0 ?b . ?c :p1 ?d } }`, { optimize: false }))
      expect(found).toHaveLength(3000)
    } finally {
      await graph.close()
    }
  })

  it('stops at a timeout inside a large join', async () => {
    const source = new MemorySource(Array.from({ length: 300 }, (_, i) => toQuad({ s: i % 6, p: i % 3, o: { lit: i }, g: -1 })))
    const result = await executeQuery(source, `PREFIX : <${EX}> SELECT * { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }`, { timeoutMs: 50 })
    await expect(rows(result)).rejects.toMatchObject({ name: 'QueryTimeoutError' })
  })
})
