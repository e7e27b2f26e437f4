import { describe, it, expect } from 'vitest'
import { cpSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as dagCbor from '@ipld/dag-cbor'
import { openGraph, factory, generateKeyPair, writerId, parseWriterId, type ChangeDetail } from '../../index.js'
import { MAX_BLOCK_BYTES } from '../../quad-model/index.js'
import { type ClockNode } from '../../merkle-clock/index.js'
import { closeAll, dump, headStrings, quad, replicas, tempDir } from '../store/helpers.js'

describe('identity', () => {
  it('names a writer by did:key and reads it back', () => {
    const keys = generateKeyPair()
    const id = writerId(keys.publicKey)
    expect(id).toMatch(/^did:key:z6Mk/)
    expect(parseWriterId(id)).toEqual(keys.publicKey)
    expect(() => parseWriterId('did:key:zNotAKey')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }))
  })

  it('keeps the key in the data folder, owner-only, and reuses it on reopen', async () => {
    const dir = tempDir()
    try {
      const a = await openGraph({ path: dir.path })
      const writer = a.writer
      await a.close()
      expect(statSync(join(dir.path, 'identity.json')).mode & 0o777).toBe(0o600)
      const b = await openGraph({ path: dir.path })
      expect(b.writer).toBe(writer)
      await b.close()
    } finally { dir.remove() }
  })
})

describe('graph', () => {
  it('matches every pattern shape on both backends', async () => {
    const dir = tempDir()
    try {
      for (const graph of [await openGraph(), await openGraph({ path: dir.path })]) {
        const quads = [quad('a', 'p', 'b'), quad('a', 'q', 'c', 'g1'), quad('b', 'p', 'a', 'g2'), quad('c', 'p', 'b')]
        await graph.insert(quads)
        const terms = (q: ReturnType<typeof quad>): Array<ReturnType<typeof factory.namedNode> | ReturnType<typeof factory.defaultGraph>> => [q.subject as never, q.predicate as never, q.object as never, q.graph as never]
        // All 16 combinations of bound and free positions, checked against a filter over the quads.
        for (const target of quads) {
          for (let mask = 0; mask < 16; mask++) {
            const bound = terms(target).map((t, i) => (mask & (1 << i)) !== 0 ? t : undefined)
            const got: string[] = []
            for await (const q of graph.match(bound[0], bound[1], bound[2], bound[3])) got.push(JSON.stringify(terms(q)))
            const want = quads.filter(q => terms(q).every((t, i) => bound[i] === undefined || t.equals(bound[i]!))).map(q => JSON.stringify(terms(q)))
            expect(got.sort()).toEqual(want.sort())
          }
        }
        await graph.close()
      }
    } finally { dir.remove() }
  })

  it('keeps literals exactly as written', async () => {
    const graph = await openGraph()
    await graph.import('<http://a> <http://p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', { format: 'nt' })
    const [q] = await Array.fromAsync(graph.match())
    expect(q.object.value).toBe('01')
  })

  it('gives two imports of the same blank node label two different nodes, and exports an isomorphic graph', async () => {
    const graph = await openGraph()
    const text = '_:b0 <http://example.org/p> "x" .\n<http://example.org/s> <http://example.org/q> _:b0 .\n'
    await graph.import(text, { format: 'nt' })
    await graph.import(text, { format: 'nt' })
    const subjects = new Set((await Array.fromAsync(graph.match(undefined, factory.namedNode('http://example.org/p')))).map(q => q.subject.value))
    expect(subjects.size).toBe(2)
    // Within one import the label is one node: its subject use and object use agree.
    const exported = (await Array.fromAsync(graph.export({ format: 'nt' }))).join('')
    const copy = await openGraph()
    await copy.import(exported, { format: 'nt' })
    expect(await copy.size()).toBe(4)
    for await (const q of copy.match(undefined, factory.namedNode('http://example.org/q'))) {
      expect(await Array.fromAsync(copy.match(q.object, factory.namedNode('http://example.org/p')))).toHaveLength(1)
    }
  })

  it('splits a write larger than a block into payload blocks, each at most 1 MiB, and replicates it whole', async () => {
    const [a, b] = await replicas(2)
    const long = 'y'.repeat(300)
    const lines = Array.from({ length: 8_000 }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "${long}${i}" .`).join('\n')
    const result = await a.import(lines, { format: 'nt' })
    const node = dagCbor.decode((await a.blocks.get(result.head!))!) as ClockNode
    expect(node.payload!.length).toBeGreaterThan(1)
    for (const cid of node.payload!) expect((await a.blocks.get(cid))!.length).toBeLessThanOrEqual(MAX_BLOCK_BYTES)
    const seen: number[] = []
    b.addEventListener('change', event => seen.push((event as CustomEvent<ChangeDetail>).detail.added))
    await b.merge(await a.heads(), { fetch: a.blocks })
    expect(await b.size()).toBe(8_000)
    await new Promise<void>(resolve => { const check = (): void => { if (seen.length > 0) resolve(); else setImmediate(check) }; check() })
    expect(seen).toEqual([8_000])
  })

  it('round-trips a database through a CAR file', async () => {
    const [a, b] = await replicas(2)
    await a.insert([quad('a', 'p', 'b')])
    await a.insert([quad('b', 'p', 'c', 'g')])
    const car = Buffer.concat(await Array.fromAsync(a.exportCar()))
    const result = await b.mergeCar(car)
    expect(result.applied).toBe(2)
    expect(await dump(b)).toEqual(await dump(a))
    expect(await headStrings(b)).toEqual(await headStrings(a))
  })

  it('emits a change event after a local commit', async () => {
    const graph = await openGraph()
    const events: ChangeDetail[] = []
    graph.addEventListener('change', e => events.push((e as CustomEvent<ChangeDetail>).detail))
    const { head } = await graph.insert([quad('a', 'p', 'b')])
    await new Promise<void>(resolve => { const check = (): void => { if (events.length > 0) resolve(); else setImmediate(check) }; check() })
    expect(events[0]).toMatchObject({ source: 'local', added: 1, removed: 0 })
    expect(events[0].heads.map(String)).toEqual([String(head)])
  })

  it('stops a write or a read whose signal has fired, committing nothing', async () => {
    const graph = await openGraph()
    const aborted = AbortSignal.abort()
    await expect(graph.insert([quad('a', 'p', 'b')], { signal: aborted })).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await graph.insert(Array.from({ length: 5000 }, (_, i) => quad(`s${i}`, 'p', 'o')))
    const controller = new AbortController()
    let read = 0
    await expect((async () => { for await (const _ of graph.match(undefined, undefined, undefined, undefined, { signal: controller.signal })) { if (++read === 10) controller.abort() } })()).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    expect(read).toBeLessThan(5000)
    expect(await graph.size()).toBe(5000)
  })

  it('records heights and parents: a commit\'s parents are the heads it saw', async () => {
    const graph = await openGraph()
    const first = await graph.insert([quad('a', 'p', 'b')])
    const second = await graph.insert([quad('a', 'p', 'c')])
    const [entry] = await graph.log({ limit: 1 })
    expect(entry.cid.toString()).toBe(second.head!.toString())
    expect(entry.parents.map(String)).toEqual([String(first.head)])
    expect(entry.height).toBe(2)
    expect(await headStrings(graph)).toEqual([String(second.head)])
  })

  it('a delete of quads that are not there makes no commit', async () => {
    const graph = await openGraph()
    const result = await graph.delete([quad('a', 'p', 'b')])
    expect(result.head).toBeUndefined()
    expect(await graph.heads()).toEqual([])
  })

  it('reopens a persistent graph with its quads and heads', async () => {
    const dir = tempDir()
    try {
      const a = await openGraph({ path: dir.path })
      await a.insert([quad('a', 'p', 'b'), quad('c', 'p', 'd', 'g')])
      const heads = await headStrings(a)
      const quads = await dump(a)
      await a.close()
      const b = await openGraph({ path: dir.path })
      expect(await headStrings(b)).toEqual(heads)
      expect(await dump(b)).toEqual(quads)
      await b.close()
    } finally { dir.remove() }
  })

  it('refuses a second open of a folder another holds', async () => {
    const dir = tempDir()
    try {
      const a = await openGraph({ path: dir.path })
      await expect(openGraph({ path: dir.path })).rejects.toMatchObject({ code: 'ERR_DATABASE_LOCKED' })
      await a.close()
      const b = await openGraph({ path: dir.path })
      await b.close()
    } finally { dir.remove() }
  })
})

describe('group commit', () => {
  it('stores concurrent writes as a chain of signed commits, one per write, all reported after they are stored', async () => {
    const dir = tempDir()
    try {
      const graph = await openGraph({ path: dir.path })
      const results = await Promise.all(Array.from({ length: 300 }, async (_, i) => await graph.insert([quad(`s${i}`, 'p', 'o')])))
      expect(new Set(results.map(r => String(r.head))).size).toBe(300)
      const log = await graph.log({ limit: 1000 })
      expect(log).toHaveLength(300)
      // A chain: one head, heights 1..300.
      expect(await graph.heads()).toHaveLength(1)
      expect(log.map(e => e.height).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
      // A delete queued behind inserts sees them.
      const [, deleted] = await Promise.all([graph.insert([quad('x', 'p', 'o')]), graph.delete([quad('x', 'p', 'o'), quad('s0', 'p', 'o')])])
      expect(deleted.removed).toBe(2)
      expect(await graph.size()).toBe(299)
      await graph.close()
    } finally { dir.remove() }
  })
})

describe('opening', () => {
  it('does not create files in a folder that holds no database when asked not to create one', async () => {
    const dir = tempDir()
    try {
      await expect(openGraph({ path: dir.path, create: false })).rejects.toMatchObject({ code: 'ERR_NO_DATABASE' })
      const { readdirSync } = await import('node:fs')
      expect(readdirSync(dir.path)).toEqual([])
    } finally { dir.remove() }
  })

  it('refuses an exclusive create over an existing database', async () => {
    const dir = tempDir()
    try {
      const a = await openGraph({ path: dir.path, create: { exclusive: true } })
      await a.close()
      await expect(openGraph({ path: dir.path, create: { exclusive: true } })).rejects.toMatchObject({ code: 'ERR_DATABASE_EXISTS' })
    } finally { dir.remove() }
  })

  it('pages through the log with seq cursors', async () => {
    const graph = await openGraph()
    for (let i = 0; i < 5; i++) await graph.insert([quad(`s${i}`, 'p', 'o')])
    const first = await graph.log({ limit: 2 })
    const next = await graph.log({ limit: 2, before: first[1].seq })
    const all = await graph.log({ limit: Infinity })
    expect([...first, ...next].map(e => String(e.cid))).toEqual(all.slice(0, 4).map(e => String(e.cid)))
  })

  it('clones from a CAR whose first root is the manifest, and refuses a CAR of another database', async () => {
    const a = await openGraph()
    await a.insert([quad('a', 'p', 'b')])
    const { readCar, manifestRoot } = await import('../../index.js')
    const car = await readCar(Buffer.concat(await Array.fromAsync(a.exportCar())))
    expect(String(await manifestRoot(car))).toBe(a.address)
    const clone = await openGraph({ address: a.address, fetch: car.fetch })
    expect((await clone.mergeCar(car)).applied).toBe(1)
    const other = await openGraph()
    await expect(other.mergeCar(car)).rejects.toMatchObject({ code: 'ERR_DATABASE_MISMATCH' })
    await expect(readCar(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'ERR_INVALID_CAR' })
  })
})

describe('graph-first orderings made on demand (SQLite)', () => {
  it('answers graph-bound patterns exactly before and after the first named graph, across a reopen and a failed write', async () => {
    const dir = tempDir()
    try {
      const { factory: f } = await import('../../index.js')
      const count = async (graph: Awaited<ReturnType<typeof openGraph>>, g: ReturnType<typeof f.namedNode> | ReturnType<typeof f.defaultGraph>, s?: ReturnType<typeof f.namedNode>): Promise<number> =>
        (await Array.fromAsync(graph.match(s, undefined, undefined, g))).length
      let graph = await openGraph({ path: dir.path })
      await graph.insert([quad('a', 'p', 'b'), quad('b', 'p', 'g1')])
      // ex:g1 is a term of the store (an object), but no graph.
      expect(await count(graph, f.defaultGraph())).toBe(2)
      expect(await count(graph, f.defaultGraph(), f.namedNode('http://example.org/a'))).toBe(1)
      expect(await count(graph, f.namedNode('http://example.org/g1'))).toBe(0)
      const sources = (await graph.query('SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }'))
      expect(await Array.fromAsync(sources as AsyncIterable<unknown>)).toEqual([])
      // A write that fails leaves no named graph behind.
      await expect(graph.import('<http://example.org/x> <http://example.org/p> <http://example.org/y> <http://example.org/g1> .\n<bad', { format: 'nq' })).rejects.toMatchObject({ code: 'ERR_INVALID_RDF' })
      expect(await count(graph, f.namedNode('http://example.org/g1'))).toBe(0)
      await graph.insert([quad('c', 'p', 'd', 'g1')])
      expect(await count(graph, f.namedNode('http://example.org/g1'))).toBe(1)
      expect(await count(graph, f.defaultGraph())).toBe(2)
      expect(await count(graph, f.defaultGraph(), f.namedNode('http://example.org/c'))).toBe(0)
      await graph.close()
      graph = await openGraph({ path: dir.path })
      expect(await count(graph, f.namedNode('http://example.org/g1'))).toBe(1)
      expect(await count(graph, f.defaultGraph())).toBe(2)
      await graph.close()
    } finally { dir.remove() }
  })
})

describe('store schema (SQLite)', () => {
  // tests/fixtures/store-v2: a database written by schema 2 (before blocks carried node
  // seqs and ogsp became a named-graph index): an import with a blank node, a quad in a
  // named graph, a delete and a SPARQL update, four commits.
  it('opens a schema-2 store, migrating it, with its quads, heads, log and blocks intact, and writes on', async () => {
    const dir = tempDir()
    try {
      cpSync(join(import.meta.dirname, '..', 'fixtures', 'store-v2'), dir.path, { recursive: true })
      const graph = await openGraph({ path: dir.path })
      expect(graph.address.toString()).toBe('bafyreigtizrwh6twaztgrozg3ac47jhrgfterri55452vakvzvzxvzvzp4')
      expect(await headStrings(graph)).toEqual(['bafyreidh5sxf3ybsaxbymjka3hjl6smeubeia3jtp5ctah7os73iw5ivnm'])
      const log = await graph.log({ limit: 10 })
      expect(log.map(e => [e.seq, e.cid.toString(), e.height, e.added, e.removed])).toEqual([
        [4, 'bafyreidh5sxf3ybsaxbymjka3hjl6smeubeia3jtp5ctah7os73iw5ivnm', 4, 1, 0],
        [3, 'bafyreibkrbctsnlkhhrz5strxyjsrccofwtzlb5asifvhelaml74f3cshu', 3, 0, 1],
        [2, 'bafyreihdw6guiztknuwzxs3f2uybi5qgo55su5f7am2ktv3cr4ca7rwejy', 2, 1, 0],
        [1, 'bafyreicprcni3il327j52vtqow6sblkyruvhj6wgplkw3v73jyfu3brjxy', 1, 3, 0]
      ])
      const exported = (await Array.fromAsync(graph.export({ format: 'nq' }))).join('')
      const quads = exported.trim().split('\n').map(line => line.replace(/_:\S+/, '_:b'))
      expect(quads.sort()).toEqual([
        '<http://ex/a> <http://ex/p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<http://ex/s> <http://ex/p> "in a graph"@en <http://ex/g> .',
        '<http://ex/x> <http://ex/y> <http://ex/z> .',
        '_:b <http://ex/q> <http://ex/a> .'
      ])
      // Named-graph patterns still use their orderings.
      expect(await Array.fromAsync(graph.match(undefined, undefined, factory.literal('in a graph', 'en'), factory.namedNode('http://ex/g')))).toHaveLength(1)
      // Every commit's block is there, and the history replicates.
      const copy = await openGraph({ address: graph.address, fetch: graph.blocks })
      await copy.merge(await graph.heads(), { fetch: graph.blocks })
      expect((await dump(copy)).length).toBe(4)
      // Removing an add made under schema 2 finds its tag; a new commit follows the old head.
      await graph.delete([factory.quad(factory.namedNode('http://ex/x'), factory.namedNode('http://ex/y'), factory.namedNode('http://ex/z'))])
      expect((await dump(graph)).length).toBe(3)
      const [newest] = await graph.log({ limit: 1 })
      expect(newest.parents.map(String)).toEqual(['bafyreidh5sxf3ybsaxbymjka3hjl6smeubeia3jtp5ctah7os73iw5ivnm'])
      await graph.close()
      await copy.close()
      const reopened = await openGraph({ path: dir.path })
      expect((await dump(reopened)).length).toBe(3)
      await reopened.close()
    } finally { dir.remove() }
  })

  it('tags a quad repeated within one import once, and a quad added again by a later commit twice', async () => {
    const [a, b] = await replicas(2, 'sqlite')
    try {
      // Enough quads for the multi-row insert path, with repeats among one statement's rows.
      const lines = Array.from({ length: 300 }, (_, i) => `<http://ex/s${i % 150}> <http://ex/p> "${i % 150}" .`).join('\n') + '\n'
      const s7 = factory.quad(factory.namedNode('http://ex/s7'), factory.namedNode('http://ex/p'), factory.literal('7'))
      await a.import(lines, { format: 'nt' })
      expect(await a.size()).toBe(150)
      await b.merge(await a.heads(), { fetch: a.blocks })
      // a adds every quad again; b, concurrently, removes s7 as it saw it (the first add only).
      await a.import(lines, { format: 'nt' })
      await b.delete([s7])
      expect(await b.size()).toBe(149)
      await a.merge(await b.heads(), { fetch: b.blocks })
      await b.merge(await a.heads(), { fetch: a.blocks })
      // The second add survives the remove on both (add-wins), which needs its own tag.
      expect(await a.size()).toBe(150)
      expect(await b.size()).toBe(150)
      // A remove that has seen both adds removes the quad: a repeat within one import added no stray tag.
      await a.delete([s7])
      expect(await a.size()).toBe(149)
    } finally { await closeAll([a, b]) }
  })
})
