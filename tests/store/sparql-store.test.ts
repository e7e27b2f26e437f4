import { describe, it, expect } from 'vitest'
import { openGraph, type Solution } from '../../index.js'
import { toArray } from '../../query/index.js'
import { replicas, tempDir } from './helpers.js'

// The query engine over the real store: the store implements the engine's QuadSource.
describe('SPARQL over the store', () => {
  it('answers a SELECT with a join on both backends', async () => {
    const dir = tempDir()
    try {
      for (const graph of [await openGraph(), await openGraph({ path: dir.path })]) {
        await graph.import(`@prefix ex: <http://example.org/> .
          ex:alice ex:knows ex:bob . ex:bob ex:name "Bob" . ex:alice ex:name "Alice" .
          GRAPH ex:g { ex:carol ex:name "Carol" }`, { format: 'trig' })
        const result = await graph.query('PREFIX ex: <http://example.org/> SELECT ?n WHERE { ex:alice ex:knows ?x . ?x ex:name ?n }')
        expect(result.type).toBe('bindings')
        const rows = await toArray(result as AsyncIterable<Solution>)
        expect(rows.map(r => r.get('n')?.value)).toEqual(['Bob'])
        const named = await toArray(await graph.query('SELECT ?g ?n WHERE { GRAPH ?g { ?s <http://example.org/name> ?n } }') as AsyncIterable<Solution>)
        expect(named.map(r => [r.get('g')?.value, r.get('n')?.value])).toEqual([['http://example.org/g', 'Carol']])
        const ask = await graph.query('ASK { ?s <http://example.org/knows> ?o }')
        expect(ask).toMatchObject({ type: 'boolean', value: true })
        await graph.close()
      }
    } finally { dir.remove() }
  })

  it('runs a SPARQL update as one commit, and a failing one commits nothing', async () => {
    const [graph] = await replicas(1)
    const first = await graph.update('INSERT DATA { <http://e/a> <http://e/p> 1 . <http://e/b> <http://e/p> 2 }')
    expect(first.added).toBe(2)
    const second = await graph.update('DELETE { ?s <http://e/p> ?o } INSERT { ?s <http://e/q> ?o } WHERE { ?s <http://e/p> ?o }')
    expect(second).toMatchObject({ added: 2, removed: 2 })
    expect((await graph.log()).length).toBe(2)
    await expect(graph.update('INSERT DATA { <http://e/c> <http://e/p> }')).rejects.toMatchObject({ name: 'SparqlSyntaxError' })
    expect((await graph.log()).length).toBe(2)
    expect(await graph.size()).toBe(2)
  })
})
