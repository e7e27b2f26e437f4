import { describe, it, expect } from 'vitest'
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { generateKeyPair, openGraph, type BlockFetcher, type Graph, type KeyPair } from '../../index.js'
import { createCommit, encodeBlock, Signer, cidOf } from '../../merkle-clock/index.js'
import { encodeDelta, quadKeys } from '../../quad-model/index.js'
import { dump, headStrings, quad, replicas } from '../store/helpers.js'

/** A fetcher over a map of blocks, so tests can serve doctored ones. */
function served (blocks: Map<string, Uint8Array>, fallback?: BlockFetcher): BlockFetcher {
  return { get: async (cid: CID) => blocks.get(cid.toString()) ?? await fallback?.get(cid) }
}

async function commitBlocks (graph: Graph, signer: Signer, parents: Array<{ cid: CID, height: number }>, db?: CID): Promise<{ cid: CID, blocks: Map<string, Uint8Array> }> {
  const commit = createCommit({ db: db ?? graph.addressCid, parents, chunks: encodeDelta([quadKeys(quad('x', 'p', 'y'))]), signer })
  return { cid: commit.node.cid, blocks: new Map([[commit.node.cid.toString(), commit.node.bytes]]) }
}

async function expectNothingApplied (graph: Graph, before: { quads: string[], heads: string[] }): Promise<void> {
  expect(await dump(graph)).toEqual(before.quads)
  expect(await headStrings(graph)).toEqual(before.heads)
}

describe('bad blocks from elsewhere are rejected before they touch the store', () => {
  const cases: Array<{ name: string, code: string, make: (target: Graph, writer: KeyPair) => Promise<{ heads: CID[], fetch: BlockFetcher }> }> = [
    {
      name: 'a tampered block (bytes do not hash to the CID)',
      code: 'ERR_HASH_MISMATCH',
      make: async (target, writer) => {
        const { cid, blocks } = await commitBlocks(target, new Signer(writer), [])
        const bytes = blocks.get(cid.toString())!.slice()
        bytes[bytes.length - 5] ^= 0xff
        return { heads: [cid], fetch: served(new Map([[cid.toString(), bytes]])) }
      }
    },
    {
      name: 'a bad signature',
      code: 'ERR_BAD_SIGNATURE',
      make: async (target, writer) => {
        const { cid, blocks } = await commitBlocks(target, new Signer(writer), [])
        const node = dagCbor.decode(blocks.get(cid.toString())!) as Record<string, unknown>
        const forged = encodeBlock({ ...node, time: 42 })
        return { heads: [forged.cid], fetch: served(new Map([[forged.cid.toString(), forged.bytes]])) }
      }
    },
    {
      name: 'a foreign writer',
      code: 'ERR_FOREIGN_WRITER',
      make: async target => {
        const { cid, blocks } = await commitBlocks(target, new Signer(generateKeyPair()), [])
        return { heads: [cid], fetch: served(blocks) }
      }
    },
    {
      name: 'a node replayed from another database',
      code: 'ERR_WRONG_DATABASE',
      make: async (target, writer) => {
        const other = encodeBlock({ other: true })
        const { cid, blocks } = await commitBlocks(target, new Signer(writer), [], other.cid)
        return { heads: [cid], fetch: served(blocks) }
      }
    },
    {
      name: 'malformed CBOR',
      code: 'ERR_INVALID_NODE',
      make: async () => {
        const bytes = new Uint8Array([0xa1, 0x61, 0x76, 0xff, 0x00])
        const cid = cidOf(bytes)
        return { heads: [cid], fetch: served(new Map([[cid.toString(), bytes]])) }
      }
    },
    {
      name: 'a well-formed CBOR value that is not a node',
      code: 'ERR_INVALID_NODE',
      make: async () => {
        const block = encodeBlock({ v: 1, hello: 'world' })
        return { heads: [block.cid], fetch: served(new Map([[block.cid.toString(), block.bytes]])) }
      }
    },
    {
      name: 'a node whose parent is missing',
      code: 'ERR_MISSING_BLOCK',
      make: async (target, writer) => {
        const signer = new Signer(writer)
        const parent = await commitBlocks(target, signer, [])
        const child = createCommit({ db: target.addressCid, parents: [{ cid: parent.cid, height: 1 }], chunks: encodeDelta([quadKeys(quad('z', 'p', 'z'))]), signer })
        return { heads: [child.node.cid], fetch: served(new Map([[child.node.cid.toString(), child.node.bytes]])) }
      }
    },
    {
      name: 'a node whose height lies',
      code: 'ERR_INVALID_NODE',
      make: async (target, writer) => {
        const signer = new Signer(writer)
        const parent = await commitBlocks(target, signer, [])
        const child = createCommit({ db: target.addressCid, parents: [{ cid: parent.cid, height: 5 }], chunks: encodeDelta([quadKeys(quad('z', 'p', 'z'))]), signer })
        return { heads: [child.node.cid], fetch: served(new Map([...parent.blocks, [child.node.cid.toString(), child.node.bytes]])) }
      }
    },
    {
      name: 'a good node whose child is bad: the good one is not applied either',
      code: 'ERR_FOREIGN_WRITER',
      make: async (target, writer) => {
        const parent = await commitBlocks(target, new Signer(writer), [])
        const child = createCommit({ db: target.addressCid, parents: [{ cid: parent.cid, height: 1 }], chunks: encodeDelta([quadKeys(quad('z', 'p', 'z'))]), signer: new Signer(generateKeyPair()) })
        return { heads: [child.node.cid], fetch: served(new Map([...parent.blocks, [child.node.cid.toString(), child.node.bytes]])) }
      }
    },
    // Issue 10, defect 2: a writer's signature says who wrote a term, not that it is RDF.
    ...['http://e/a b', 'http://e/<x>', '_:a b', 'relative', '"x"@not a tag'].map(term => ({
      name: `a signed commit by a writer whose term table holds ${JSON.stringify(term)}`,
      code: 'ERR_INVALID_NODE',
      make: async (target: Graph, writer: KeyPair) => {
        const object = term.startsWith('"') ? term : '"o"'
        const subject = term.startsWith('"') ? 'http://e/s' : term
        const t = ['', object, subject, 'http://e/p'].sort()
        const chunk = { t, a: [t.indexOf(subject), t.indexOf('http://e/p'), t.indexOf(object), t.indexOf('')], r: [], c: [] }
        const commit = createCommit({ db: target.addressCid, parents: [], chunks: [chunk], signer: new Signer(writer) })
        return { heads: [commit.node.cid], fetch: served(new Map([[commit.node.cid.toString(), commit.node.bytes]])) }
      }
    })),
    {
      // Issue 10, defect 3: one chunk linked 1,000 times would be fetched and checked 1,000 times.
      name: 'a node whose payload lists one chunk many times',
      code: 'ERR_INVALID_NODE',
      make: async (target, writer) => {
        const { cid, blocks } = await commitBlocks(target, new Signer(writer), [])
        const node = dagCbor.decode(blocks.get(cid.toString())!) as Record<string, unknown>
        const chunk = encodeBlock(node.delta)
        const { sig: _sig, delta: _delta, ...rest } = node
        const unsigned = { ...rest, payload: Array.from({ length: 1000 }, () => chunk.cid) }
        const signed = encodeBlock({ ...unsigned, sig: new Signer(writer).sign(dagCbor.encode(unsigned)) })
        return { heads: [signed.cid], fetch: served(new Map([[signed.cid.toString(), signed.bytes], [chunk.cid.toString(), chunk.bytes]])) }
      }
    },
    {
      name: 'a fetcher that answers null',
      code: 'ERR_MISSING_BLOCK',
      make: async (target, writer) => {
        const { cid } = await commitBlocks(target, new Signer(writer), [])
        return { heads: [cid], fetch: { get: async () => null as unknown as Uint8Array } }
      }
    },
    {
      name: 'a fetcher that answers something other than bytes',
      code: 'ERR_MISSING_BLOCK',
      make: async (target, writer) => {
        const { cid } = await commitBlocks(target, new Signer(writer), [])
        return { heads: [cid], fetch: { get: async () => 'bytes?' as unknown as Uint8Array } }
      }
    },
    {
      name: 'a head string that is not a CID',
      code: 'ERR_INVALID_CID',
      make: async () => ({ heads: ['not a cid' as unknown as CID], fetch: served(new Map()) })
    },
    {
      name: 'a head that does not exist anywhere',
      code: 'ERR_MISSING_BLOCK',
      make: async () => ({ heads: [encodeBlock({ nowhere: 1 }).cid], fetch: served(new Map()) })
    }
  ]

  it.each(cases)('$name → $code', async ({ code, make }) => {
    const writerKeys = generateKeyPair()
    const target = await openGraph({ create: { writers: [new Signer(writerKeys).id] } })
    await target.insert([quad('a', 'p', 'b')])
    const before = { quads: await dump(target), heads: await headStrings(target) }
    const { heads, fetch } = await make(target, writerKeys)
    await expect(target.merge(heads, { fetch })).rejects.toMatchObject({ code })
    await expectNothingApplied(target, before)
    await target.close()
  })

  it('a local write passes the same term checks: a blank node label N-Quads cannot carry is refused', async () => {
    const graph = await openGraph()
    const { factory: f } = await import('../../index.js')
    await expect(graph.insert([f.quad(f.blankNode('a b'), f.namedNode('http://e/p'), f.literal('x'))])).rejects.toMatchObject({ code: 'ERR_INVALID_RDF' })
    await expect(graph.insert([f.quad(f.namedNode('http://e/a b'), f.namedNode('http://e/p'), f.literal('x'))])).rejects.toMatchObject({ code: 'ERR_INVALID_RDF' })
    expect(await graph.size()).toBe(0)
    await graph.close()
  })

  it('a closed database rejects writes from a replica whose key is not a writer', async () => {
    const owner = await openGraph()
    const outsider = await openGraph({ address: owner.address, fetch: owner.blocks })
    await expect(outsider.insert([quad('a', 'p', 'b')])).rejects.toMatchObject({ code: 'ERR_NOT_A_WRITER' })
    expect(await outsider.size()).toBe(0)
  })

  it('an open database, asked for explicitly, accepts any writer', async () => {
    const owner = await openGraph({ create: { open: true } })
    const anyone = await openGraph({ address: owner.address, fetch: owner.blocks })
    await anyone.insert([quad('a', 'p', 'b')])
    await owner.merge(await anyone.heads(), { fetch: anyone.blocks })
    expect(await owner.size()).toBe(1)
  })
})

describe('bad RDF input commits nothing', () => {
  const cases = [
    { name: 'malformed Turtle', format: 'turtle', text: '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n', line: 3 },
    { name: 'malformed N-Quads', format: 'nquads', text: '<http://a> <http://b> <http://c> .\n<http://a> <http://b> "x\n', line: 2 },
    { name: 'an invalid IRI', format: 'ntriples', text: '<http://a> <http://b> <http://c> .\n<http://a> <http://b> <not an iri> .\n', line: 2 },
    { name: 'a relative IRI without a base', format: 'ntriples', text: '<http://a> <http://b> <c> .\n', line: 1 },
    { name: 'an unknown prefix', format: 'turtle', text: 'ex:a ex:b ex:c .\n', line: 1 }
  ]

  it.each(cases)('$name: typed error naming line $line, nothing committed', async ({ format, text, line }) => {
    const graph = await openGraph()
    await graph.insert([quad('a', 'p', 'b')])
    const before = { quads: await dump(graph), heads: await headStrings(graph) }
    const err = await graph.import(text, { format }).catch((e: unknown) => e) as { code: string, message: string, line: number }
    expect(err).toMatchObject({ code: 'ERR_INVALID_RDF', line })
    expect(err.message).toMatch(new RegExp(`^line ${line}: `))
    await expectNothingApplied(graph, before)
  })

  it('an import failing at line 900 commits nothing of the 899 lines before it', async () => {
    const graph = await openGraph()
    const lines = Array.from({ length: 899 }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "${i}" .`)
    lines.push('<http://example.org/broken> <http://example.org/p> .')
    const err = await graph.import(lines.join('\n') + '\n', { format: 'nt' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_INVALID_RDF', line: 900 })
    expect(await graph.size()).toBe(0)
    expect(await graph.heads()).toEqual([])
  })

  it('a Turtle collection of 100,000 items stops at its signal while it is parsed, and commits nothing', async () => {
    const graph = await openGraph()
    try {
      const items = Array.from({ length: 100_000 }, (_, i) => i).join(' ')
      const controller = new AbortController()
      // Aborted from inside the parse (at the first progress report, 8,192 quads in): the
      // parser must notice while the one long string is still being read.
      const importing = graph.import(`<urn:a> <urn:p> ( ${items} ) .`, { format: 'turtle', signal: controller.signal, onProgress: () => controller.abort() })
      await expect(importing).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(await graph.size()).toBe(0)
    } finally {
      await graph.close()
    }
  })

  it('an unknown format is a typed error', async () => {
    const graph = await openGraph()
    await expect(graph.import('', { format: 'yaml' })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_FORMAT' })
  })

  it('a literal as a subject is rejected on insert', async () => {
    const [graph] = await replicas(1)
    const { factory } = await import('../../index.js')
    const bad = factory.quad(factory.literal('x') as never, factory.namedNode('http://p'), factory.literal('y'))
    await expect(graph.insert([bad])).rejects.toMatchObject({ code: 'ERR_INVALID_RDF' })
    expect(await graph.heads()).toEqual([])
  })

  it('a term with a lone surrogate is rejected: it has no UTF-8 form, so replicas would differ', async () => {
    const [graph] = await replicas(1)
    const { factory: f } = await import('../../index.js')
    const p = f.namedNode('http://p')
    for (const bad of [
      f.quad(f.namedNode('http://s'), p, f.literal('a\ud83d')),
      f.quad(f.namedNode('http://s\ude00'), p, f.literal('a')),
      f.quad(f.blankNode('b\ud800'), p, f.literal('a')),
      f.quad(f.namedNode('http://s'), p, f.literal('a'), f.namedNode('http://g\udfff'))
    ]) {
      await expect(graph.insert([bad])).rejects.toMatchObject({ code: 'ERR_INVALID_RDF', message: expect.stringContaining('lone surrogate') })
    }
    expect(await graph.heads()).toEqual([])
    // A whole astral character is fine.
    await graph.insert([f.quad(f.namedNode('http://s\ud83d\ude00'), p, f.literal('\ud83d\ude00'))])
    expect(await graph.size()).toBe(1)
  })
})
