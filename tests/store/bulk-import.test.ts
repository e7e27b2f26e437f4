import { describe, it, expect } from 'vitest'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import * as dagCbor from '@ipld/dag-cbor'
// The worker-thread import runs only from compiled code (the worker is a .js file
// beside its module), so this suite loads the build that `npm test` makes first.
import { openGraph, factory, type Graph } from '../../dist/index.js'
import { canImportInWorker, MemoryBackend, SqliteBackend } from '../../dist/store/index.js'
import { cidOf, type ClockNode } from '../../dist/merkle-clock/index.js'
import { collect, tempDir } from './helpers.js'

async function sorted (graph: Graph): Promise<string[]> {
  const out: string[] = []
  for await (const q of graph.match()) out.push([q.subject.value, q.predicate.value, q.object.value, q.graph.value].join(' '))
  return out.sort()
}

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `<http://example.org/s${i % 997}> <http://example.org/p${i % 7}> "${i}" .`).join('\n') + '\n'

describe('bulk import in a worker thread (on-disk store)', () => {
  it('is used for the on-disk store, and gives the same graph as an in-memory import', async () => {
    const dir = tempDir()
    try {
      const diskBackend = await SqliteBackend.open({ path: dir.path })
      const disk = await openGraph({ path: dir.path, backend: diskBackend })
      expect(canImportInWorker(diskBackend)).toBe(true)
      const text = lines(70_000)
      const result = await disk.import(Readable.from([text.slice(0, 1_000_003), text.slice(1_000_003)]), { format: 'nt' })
      expect(result).toMatchObject({ quads: 70_000, added: 70_000 })
      const memoryBackend = new MemoryBackend()
      const memory = await openGraph({ backend: memoryBackend })
      expect(canImportInWorker(memoryBackend)).toBe(false)
      await memory.import(text, { format: 'nt' })
      expect(await sorted(disk)).toEqual(await sorted(memory))
      expect((await disk.log())[0].cid.toString()).toBe(String(result.head))
      // Quads arriving in batches went into the store with the commit's tag: deletes find them.
      const [first] = await collect(disk.match())
      expect((await disk.delete([first])).removed).toBe(1)
      await disk.close()
      const reopened = await openGraph({ path: dir.path })
      expect(await reopened.size()).toBe(69_999)
      expect(await collect(reopened.match(undefined, undefined, factory.literal('12345')))).toHaveLength(1)
      await reopened.close()
      // A write this big drops osgp and builds it again at the end: it is there, and the
      // named-graph orderings are not (no quad is in a named graph).
      const { DatabaseSync } = await import('node:sqlite')
      const db = new DatabaseSync(join(dir.path, 'store.sqlite'), { readOnly: true })
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'quads'").all() as Array<{ name: string }>).map(r => r.name).sort()
      db.close()
      expect(indexes).toEqual(['quads_osgp', 'quads_posg'])
    } finally { dir.remove() }
  })

  it('encodes payload blocks in the worker exactly as merkle-clock would', async () => {
    const dir = tempDir()
    try {
      const disk = await openGraph({ path: dir.path })
      const memory = await openGraph()
      const long = 'y'.repeat(300)
      const text = Array.from({ length: 8_000 }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "${long}${i}" .`).join('\n')
      const node = async (graph: Graph): Promise<ClockNode> => {
        const { head } = await graph.import(text, { format: 'nt' })
        return dagCbor.decode((await graph.blocks.get(head!))!)
      }
      const [fromWorker, inThread] = [await node(disk), await node(memory)]
      expect(fromWorker.payload!.length).toBeGreaterThan(1)
      // The same delta makes the same blocks, whichever thread encodes it.
      expect(fromWorker.payload!.map(String)).toEqual(inThread.payload!.map(String))
      for (const cid of fromWorker.payload!) expect(cidOf((await disk.blocks.get(cid))!).equals(cid)).toBe(true)
      await disk.close()
    } finally { dir.remove() }
  })

  it('embeds a small delta in its commit', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      const { head } = await graph.import('<http://example.org/a> <http://example.org/p> "x" .\n', { format: 'nt' })
      const node: ClockNode = dagCbor.decode((await graph.blocks.get(head!))!)
      expect(node.delta).toEqual({ t: ['"x"', 'http://example.org/a', 'http://example.org/p', ''].sort(), a: [2, 3, 1, 0], r: [], c: [] })
      await graph.close()
    } finally { dir.remove() }
  })

  it('takes a text-mode Node stream (string chunks)', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      const stream = Readable.from([lines(500)], { objectMode: false }).setEncoding('utf8')
      expect(await graph.import(stream, { format: 'nt' })).toMatchObject({ quads: 500 })
      await graph.close()
    } finally { dir.remove() }
  })

  it('reads a file: URL (gzipped or not) in the worker itself', async () => {
    const dir = tempDir()
    try {
      const { writeFileSync } = await import('node:fs')
      const { gzipSync } = await import('node:zlib')
      const { pathToFileURL } = await import('node:url')
      const { join } = await import('node:path')
      writeFileSync(join(dir.path, 'data.nt.gz'), gzipSync(lines(1_000)))
      const graph = await openGraph({ path: join(dir.path, 'db') })
      expect(await graph.import(pathToFileURL(join(dir.path, 'data.nt.gz')), { format: 'nt' })).toMatchObject({ quads: 1_000 })
      const memory = await openGraph()
      expect(await memory.import(pathToFileURL(join(dir.path, 'data.nt.gz')), { format: 'nt' })).toMatchObject({ quads: 1_000 })
      await expect(graph.import(pathToFileURL(join(dir.path, 'missing.nt')), { format: 'nt' })).rejects.toMatchObject({ code: 'ERR_READ_INPUT' })
      await expect(memory.import(pathToFileURL(join(dir.path, 'missing.nt')), { format: 'nt' })).rejects.toMatchObject({ code: 'ERR_READ_INPUT' })
      expect(await graph.size()).toBe(1_000)
      await graph.close()
    } finally { dir.remove() }
  })

  it('commits nothing when the input breaks at line 60,001, and the store stays usable', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      await graph.import('<http://example.org/a> <http://example.org/p> "kept" .\n', { format: 'nt' })
      const before = await graph.heads()
      const err = await graph.import(lines(60_000) + '<http://example.org/x> <http://example.org/p> .\n', { format: 'nt' }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'ERR_INVALID_RDF', line: 60_001 })
      expect(await graph.size()).toBe(1)
      expect(await graph.heads()).toEqual(before)
      await graph.insert([(await collect(graph.match()))[0]])
      expect((await graph.log()).length).toBe(2)
      await graph.close()
    } finally { dir.remove() }
  })

  it('stops when aborted, committing nothing', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      const controller = new AbortController()
      const pending = graph.import(lines(200_000), { format: 'nt', signal: controller.signal, onProgress: () => controller.abort() })
      await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(await graph.size()).toBe(0)
      await graph.close()
    } finally { dir.remove() }
  })
})
