/**
 * A small import takes the ordinary commit path (no worker thread), and gives the same
 * delta as the bulk-import path would: same quads, same chunks, byte for byte.
 */
import { describe, expect, it } from 'vitest'
import { Readable } from 'node:stream'
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
// From the build: the bulk path's worker runs only from compiled code.
import { openGraph, type Graph } from '../../dist/index.js'
import { SMALL_IMPORT_BYTES } from '../../dist/graph/index.js'
import type { ClockNode } from '../../dist/merkle-clock/index.js'
import { tempDir } from '../store/helpers.js'

const text = (n: number): string => Array.from({ length: n }, (_, i) => `<http://example.org/s${i % 13}> <http://example.org/p${i % 3}> "${i}" .`).join('\n') + '\n'

async function deltaOf (graph: Graph, head: CID | undefined): Promise<unknown> {
  expect(head).toBeDefined()
  const node = dagCbor.decode(await graph.blocks.get(head as CID) as Uint8Array) as ClockNode
  return node.delta ?? node.payload
}

describe('small imports', () => {
  it('commit like an insert and give the same delta as the bulk path', async () => {
    const dir = tempDir()
    try {
      const small = await openGraph({ path: `${dir.path}/small` })
      const bulk = await openGraph({ path: `${dir.path}/bulk` })
      const input = text(40)
      expect(input.length).toBeLessThan(SMALL_IMPORT_BYTES)
      const a = await small.import(input, { format: 'nt' })
      // A stream of unknown size goes to the bulk path.
      const b = await bulk.import(Readable.from([input]), { format: 'nt' })
      expect(a).toMatchObject({ quads: 40, added: 40, removed: 0 })
      expect(b).toMatchObject({ quads: 40, added: 40, removed: 0 })
      expect(await deltaOf(small, a.head)).toEqual(await deltaOf(bulk, b.head))
      expect(await small.log()).toHaveLength(1)
      await small.close()
      await bulk.close()
    } finally { dir.remove() }
  })

  it('scope blank nodes to the import on the ordinary path too', async () => {
    const graph = await openGraph()
    await graph.import('_:a <http://example.org/p> "1" .\n', { format: 'nt' })
    await graph.import('_:a <http://example.org/p> "2" .\n', { format: 'nt' })
    const subjects = new Set<string>()
    for await (const q of graph.match()) subjects.add(q.subject.value)
    expect(subjects.size).toBe(2)
    await graph.close()
  })

  it('take the size hint of a stream into account', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      const input = text(5)
      const result = await graph.import(Readable.from([input]), { format: 'nt', size: Buffer.byteLength(input) })
      expect(result).toMatchObject({ quads: 5, added: 5 })
      expect(await graph.size()).toBe(5)
      await graph.close()
    } finally { dir.remove() }
  })
})
