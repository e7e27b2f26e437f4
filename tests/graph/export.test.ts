/**
 * graph.export's rules (graph/export.ts), the same for the API, `rhizome export` and the
 * live channel: a triple syntax holds the default graph unless `graph` or `union` says
 * otherwise, `union` writes each triple once, TriG writes each graph in one block, Turtle
 * and TriG declare the common prefixes the data uses.
 */
import { describe, expect, it } from 'vitest'
import { openGraph, RhizomeError, type Graph } from '../../index.js'

const DATA = `<http://example.org/a> <http://xmlns.com/foaf/0.1/name> "A" .
<http://example.org/a> <http://xmlns.com/foaf/0.1/name> "A" <http://example.org/g1> .
<http://example.org/b> <http://xmlns.com/foaf/0.1/name> "B" <http://example.org/g1> .
<http://example.org/c> <http://xmlns.com/foaf/0.1/name> "C" <http://example.org/g2> .
<http://example.org/a> <http://xmlns.com/foaf/0.1/knows> <http://example.org/b> .
`

async function text (graph: Graph, options: Parameters<Graph['export']>[0]): Promise<string> {
  let out = ''
  for await (const chunk of graph.export(options)) out += chunk
  return out
}

async function withData (fn: (graph: Graph) => Promise<void>): Promise<void> {
  const graph = await openGraph()
  try {
    await graph.import(DATA, { format: 'nq' })
    await fn(graph)
  } finally {
    await graph.close()
  }
}

describe('graph.export', () => {
  it('writes the default graph only in N-Triples and Turtle, every graph in N-Quads', async () => {
    await withData(async graph => {
      const nt = (await text(graph, { format: 'nt' })).trim().split('\n').sort()
      expect(nt).toEqual([
        '<http://example.org/a> <http://xmlns.com/foaf/0.1/knows> <http://example.org/b> .',
        '<http://example.org/a> <http://xmlns.com/foaf/0.1/name> "A" .'
      ])
      expect((await text(graph, { format: 'nq' })).trim().split('\n')).toHaveLength(5)
      expect((await text(graph, { format: 'nt', graph: 'http://example.org/g1' })).trim().split('\n')).toHaveLength(2)
    })
  })

  it('merges every graph with union, each triple once', async () => {
    await withData(async graph => {
      const lines = (await text(graph, { format: 'nt', union: true })).trim().split('\n')
      expect(lines).toHaveLength(4)
      expect(new Set(lines).size).toBe(4)
    })
  })

  it('writes each graph of TriG in one block, with the prefixes the data uses', async () => {
    await withData(async graph => {
      const trig = await text(graph, { format: 'trig' })
      expect(trig).toContain('@prefix foaf: <http://xmlns.com/foaf/0.1/>')
      expect(trig.match(/<http:\/\/example\.org\/g1>\s*\{/g)).toHaveLength(1)
      expect(trig.match(/<http:\/\/example\.org\/g2>\s*\{/g)).toHaveLength(1)
      const turtle = await text(graph, { format: 'ttl', prefixes: { ex: 'http://example.org/' } })
      expect(turtle).toContain('@prefix ex: <http://example.org/>')
      expect(turtle).not.toContain('foaf:')
    })
  })

  it('refuses graph and union together with ERR_INVALID_OPTIONS', async () => {
    await withData(async graph => {
      const err = await text(graph, { format: 'nt', graph: 'http://example.org/g1', union: true }).catch(e => e)
      expect(err).toBeInstanceOf(RhizomeError)
      expect(err.code).toBe('ERR_INVALID_OPTIONS')
    })
  })
})
