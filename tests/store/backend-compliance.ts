/**
 * The Backend contract (store/backend.ts), stated once and run against every backend:
 * memory and SQLite here, IndexedDB (in a browser) when it comes. It uses only the
 * Backend interface, commits built by merkle-clock, and vitest's describe/it/expect,
 * so it runs wherever those do. Signatures are not the store's business (merge checks
 * them before apply), so the commits carry a fixed dummy one and need no crypto.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { createCommit, type Commit, type Signer } from '../../merkle-clock/index.js'
import type { DeltaChunk } from '../../quad-model/index.js'
import type { Backend, NodeRecord } from '../../store/index.js'

export interface BackendHarness {
  /** A new, empty backend. */
  open: () => Promise<Backend>
  /** Closes `backend` and opens the same store again: for persistent backends. */
  reopen?: (backend: Backend) => Promise<Backend>
  /** Called when a test is done with a backend it opened (closing it is the suite's job). */
  cleanup?: () => void
}

const DB = CID.createV1(0x71, await sha256.digest(new TextEncoder().encode('compliance')))
const signer = { publicKey: new Uint8Array(32).fill(7), id: 'did:key:compliance', sign: () => new Uint8Array(64) } as unknown as Signer

/** A quad as canonical term strings (quad-model/terms.ts): IRIs in angle brackets, '' the default graph. */
type Q = readonly [string, string, string, string]
const iri = (name: string): string => `<http://example.org/${name}>`
export const q = (s: string, p = 'p', o = 'o', g?: string): Q => [iri(s), iri(p), iri(o), g === undefined ? '' : iri(g)]

/** A delta chunk adding `adds` and removing each [quad, tag] of `removes`. */
function chunk (adds: readonly Q[], removes: ReadonlyArray<readonly [Q, CID]> = []): DeltaChunk {
  const t: string[] = []
  const at = new Map<string, number>()
  const term = (key: string): number => {
    let i = at.get(key)
    if (i === undefined) { i = t.length; t.push(key); at.set(key, i) }
    return i
  }
  const c: CID[] = []
  const a = adds.flatMap(quad => quad.map(term))
  const r = removes.flatMap(([quad, tag]) => {
    let k = c.findIndex(x => x.equals(tag))
    if (k === -1) { k = c.length; c.push(tag) }
    return [...quad.map(term), k]
  })
  return { t, a, r, c }
}

/** A commit over `parents` that adds and removes. */
export function commit (parents: ReadonlyArray<Commit | NodeRecord>, adds: readonly Q[], removes: ReadonlyArray<readonly [Q, Commit]> = [], time = 0): Commit {
  const links = parents.map(p => 'node' in p ? { cid: p.node.cid, height: p.node.value.height } : { cid: p.cid, height: p.height })
  return createCommit({ db: DB, parents: links, chunks: [chunk(adds, removes.map(([quad, tag]) => [quad, tag.node.cid]))], signer, time })
}

/** The visible quads as sorted canonical lines, read through one reader. */
export async function contents (backend: Backend): Promise<string[]> {
  const reader = backend.reader()
  try {
    const lines: string[] = []
    for await (const batch of reader.scan([])) {
      const keys = await reader.resolve(Array.from(batch))
      for (let i = 0; i < keys.length; i += 4) lines.push(keys.slice(i, i + 4).join(' '))
    }
    return lines.sort()
  } finally {
    reader.release()
  }
}

const line = (quad: Q): string => quad.join(' ')
function compareBytes (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

const cids = (records: readonly NodeRecord[]): string[] => records.map(r => r.cid.toString())

/** A commit whose delta cannot be read: apply throws when it reaches it. */
function failing (parents: readonly Commit[]): Commit {
  const good = commit(parents, [q('never')])
  const bad = { ...good.chunks[0] }
  Object.defineProperty(bad, 't', { get: () => { throw new Error('this delta cannot be read') } })
  return { ...good, chunks: [bad] }
}

export function describeBackendCompliance (name: string, harness: BackendHarness): void {
  const withBackend = async (test: (backend: Backend) => Promise<Backend | undefined | void>): Promise<void> => {
    let backend = await harness.open()
    try {
      backend = (await test(backend)) ?? backend
    } finally {
      await backend.close()
      harness.cleanup?.()
    }
  }

  describe(`Backend contract: ${name}`, () => {
    it('applies a commit: its quads become visible, its node recorded, and it becomes the head', async () => {
      await withBackend(async backend => {
        const c1 = commit([], [q('a'), q('b'), q('c', 'p', 'o', 'g1')])
        await backend.apply([c1])
        expect(await contents(backend)).toEqual([q('a'), q('b'), q('c', 'p', 'o', 'g1')].map(line).sort())
        expect(cids(await backend.heads())).toEqual([c1.node.cid.toString()])
        const record = await backend.node(c1.node.cid)
        expect(record?.height).toBe(1)
        expect(await backend.hasBlock(c1.node.cid)).toBe(true)
        expect(await backend.getBlock(c1.node.cid)).toEqual(c1.node.bytes)
        expect(await backend.nodeCount()).toBe(1)
        expect(await backend.count()).toBe(3)
      })
    })

    it('skips a commit applied before: re-applying changes nothing', async () => {
      await withBackend(async backend => {
        const c1 = commit([], [q('a')])
        const c2 = commit([c1], [], [[q('a'), c1]])
        await backend.apply([c1, c2])
        await backend.apply([c1])
        await backend.apply([c1, c2])
        expect(await contents(backend)).toEqual([])
        expect(await backend.nodeCount()).toBe(2)
        expect(cids(await backend.heads())).toEqual([c2.node.cid.toString()])
      })
    })

    it('replaces the parents among the heads; concurrent commits are all heads', async () => {
      await withBackend(async backend => {
        const root = commit([], [q('root')])
        const left = commit([root], [q('left')], [], 1)
        const right = commit([root], [q('right')], [], 2)
        await backend.apply([root, left, right])
        const heads = await backend.heads()
        expect(cids(heads).sort()).toEqual([left.node.cid.toString(), right.node.cid.toString()].sort())
        // Sorted by CID bytes.
        expect(cids(heads)).toEqual(cids([...heads].sort((x, y) => compareBytes(x.cid.bytes, y.cid.bytes))))
        const merge = commit([left, right], [])
        await backend.apply([merge])
        expect(cids(await backend.heads())).toEqual([merge.node.cid.toString()])
        expect((await backend.node(merge.node.cid))?.height).toBe(3)
        const log = await backend.log({ limit: 10 })
        expect(cids(log)).toEqual([merge, right, left, root].map(c => c.node.cid.toString()))
        expect(cids(await backend.log({ limit: 2, before: log[1].seq }))).toEqual([left, root].map(c => c.node.cid.toString()))
      })
    })

    it('removes only the observed tags: an add concurrent with a remove wins', async () => {
      await withBackend(async backend => {
        const c1 = commit([], [q('x')])
        const c2 = commit([], [q('x')], [], 1)
        await backend.apply([c1, c2])
        const tags = (await backend.observedTags([q('x'), q('unknown')])).map(list => list.map(String).sort())
        expect(tags).toEqual([[c1.node.cid.toString(), c2.node.cid.toString()].sort(), []])
        // c3 saw only c1's add: c2's stays.
        const c3 = commit([c1], [], [[q('x'), c1]])
        await backend.apply([c3])
        expect(await contents(backend)).toEqual([line(q('x'))])
        expect((await backend.observedTags([q('x')]))[0].map(String)).toEqual([c2.node.cid.toString()])
        const c4 = commit([c3, c2], [], [[q('x'), c2]])
        await backend.apply([c4])
        expect(await contents(backend)).toEqual([])
        expect(await backend.observedTags([q('x')])).toEqual([[]])
      })
    })

    it('a removal that arrives before its add leaves a tombstone that voids the add', async () => {
      await withBackend(async backend => {
        const c1 = commit([], [q('x'), q('y')])
        const c2 = commit([c1], [], [[q('x'), c1]])
        // A writer never sends c2 before c1, but arrival order must not matter.
        await backend.apply([c2])
        await backend.apply([c1])
        expect(await contents(backend)).toEqual([line(q('y'))])
        // The tombstone voids only c1's add of x: a later add of x by another node stands.
        const c3 = commit([c1], [q('x')])
        await backend.apply([c3])
        expect(await contents(backend)).toEqual([q('x'), q('y')].map(line).sort())
      })
    })

    it('gives each reader a snapshot: writes after it opened are not seen', async () => {
      await withBackend(async backend => {
        const c1 = commit([], [q('a')])
        await backend.apply([c1])
        const before = backend.reader()
        try {
          await backend.apply([commit([c1], [q('b')], [[q('a'), c1]])])
          expect(await before.count()).toBe(1)
          const [a] = await before.lookup([q('a')[0]])
          const seen: number[] = []
          for await (const batch of before.scan([a])) seen.push(...batch)
          expect(seen.length).toBe(4)
          expect(await before.estimate([a])).toBe(1)
        } finally {
          before.release()
        }
        expect(await contents(backend)).toEqual([line(q('b'))])
      })
    })

    it('applies all of a call or nothing: a commit that fails undoes the earlier ones', async () => {
      await withBackend(async backend => {
        const c0 = commit([], [q('kept')])
        await backend.apply([c0])
        const c1 = commit([c0], [q('a')])
        // Small and large calls (the SQLite backend takes two paths).
        const large = commit([c0], Array.from({ length: 20_000 }, (_, i) => q(`big${i}`)), [], 5)
        for (const first of [c1, large]) {
          await expect(backend.apply([first, failing([first])])).rejects.toThrow('this delta cannot be read')
          expect(await contents(backend)).toEqual([line(q('kept'))])
          expect(await backend.node(first.node.cid)).toBeUndefined()
          expect(await backend.nodeCount()).toBe(1)
          expect(cids(await backend.heads())).toEqual([c0.node.cid.toString()])
        }
        // And the store goes on as if the call had never been made.
        await backend.apply([c1])
        expect(await contents(backend)).toEqual([q('a'), q('kept')].map(line).sort())
        expect(cids(await backend.heads())).toEqual([c1.node.cid.toString()])
      })
    })

    it('counts, estimates and lists graphs', async () => {
      await withBackend(async backend => {
        const reader0 = backend.reader()
        expect(await reader0.graphs()).toEqual([])
        reader0.release()
        await backend.apply([commit([], [q('a'), q('b'), q('a', 'p', 'o', 'g1'), q('a', 'p', 'o2', 'g2')])])
        const reader = backend.reader()
        try {
          expect(await reader.count()).toBe(4)
          const [a, g1, dflt, unknown] = await reader.lookup([q('a')[0], iri('g1'), '', iri('nothing')])
          expect(unknown).toBeUndefined()
          expect(await reader.estimate([a])).toBe(3)
          expect(await reader.estimate([a, undefined, undefined, dflt])).toBe(1)
          expect(await reader.estimate([undefined, undefined, undefined, g1])).toBe(1)
          const graphs = await reader.resolve(await reader.graphs())
          expect(graphs.sort()).toEqual(['', iri('g1'), iri('g2')].sort())
          if (reader.scanMany !== undefined) {
            const { quads, ends } = await reader.scanMany(Uint32Array.from([a, 0, 0, 0, 0, 0, 0, g1]))
            expect(Array.from(ends)).toEqual([3, 4])
            expect(quads.length).toBe(16)
          }
        } finally {
          reader.release()
        }
      })
    })

    it('keeps blocks and meta', async () => {
      await withBackend(async backend => {
        const block = commit([], [q('manifest')])
        await backend.putBlocks([{ cid: block.node.cid, bytes: block.node.bytes }])
        expect(await backend.getBlock(block.node.cid)).toEqual(block.node.bytes)
        expect(await backend.node(block.node.cid)).toBeUndefined()
        expect(await backend.getMeta('k')).toBeUndefined()
        await backend.setMeta('k', 'v')
        expect(await backend.getMeta('k')).toBe('v')
      })
    })

    if (harness.reopen !== undefined) {
      const reopen = harness.reopen
      it('keeps its state when reopened', async () => {
        await withBackend(async first => {
          const c1 = commit([], [q('a'), q('b')])
          const c2 = commit([c1], [q('c', 'p', 'o', 'g')], [[q('a'), c1]])
          const orphan = commit([c2], [], [[q('d'), commit([], [q('d')], [], 9)]])
          await first.apply([c1, c2])
          await first.apply([orphan])
          await first.setMeta('k', 'v')
          const before = await contents(first)
          expect(first.persistent).toBe(true)
          const backend = await reopen(first)
          expect(await contents(backend)).toEqual(before)
          expect(cids(await backend.heads())).toEqual([orphan.node.cid.toString()])
          expect(await backend.nodeCount()).toBe(3)
          expect(await backend.getMeta('k')).toBe('v')
          // The tombstone survived too.
          await backend.apply([commit([], [q('d')], [], 9)])
          expect(await contents(backend)).toEqual(before)
          return backend
        })
      })
    }

    // eslint-disable-next-line no-lone-blocks -- groups the bulk-write cases as the suite's other sections are grouped
    {
      it('supports bulk writes where it offers them: finish applies, abort leaves nothing', async () => {
        await withBackend(async backend => {
          if (backend.beginBulk === undefined) return
          const terms = [...q('bulk1'), ...q('bulk2')]
          const aborted = backend.beginBulk()
          aborted.add(terms, Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]))
          aborted.abort()
          expect(await contents(backend)).toEqual([])
          const bulk = backend.beginBulk()
          bulk.add(terms, Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7]))
          bulk.seal?.()
          const c = commit([], [q('bulk1'), q('bulk2')])
          await bulk.finish(c)
          expect(await contents(backend)).toEqual([q('bulk1'), q('bulk2')].map(line).sort())
          expect(cids(await backend.heads())).toEqual([c.node.cid.toString()])
        })
      })
    }

    it('converges whatever order concurrent commits arrive in (seeded property)', async () => {
      // Three writers over a small set of quads, each commit seeing only its own writer's
      // chain; every causal order of arrival must give the same quads and heads.
      const universe = ['a', 'b', 'c', 'd'].map(s => q(s))
      const writerOps = fc.array(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 3 })
      await fc.assert(fc.asyncProperty(writerOps, fc.array(fc.nat(2), { minLength: 12, maxLength: 12 }), async (writers, picks) => {
        const chains = writers.map((ops, w) => {
          const chain: Commit[] = []
          const held = new Map<number, Commit[]>()
          ops.forEach(([add, k], n) => {
            const removes = add ? [] : (held.get(k) ?? []).map(tag => [universe[k], tag] as const)
            const c = commit(chain.slice(-1), add ? [universe[k]] : [], removes, w * 100 + n)
            if (add) held.set(k, [...(held.get(k) ?? []), c])
            else held.delete(k)
            chain.push(c)
          })
          return chain
        })
        // One order: chain after chain. Another: interleaved as `picks` says (causal within each chain).
        const sequential = chains.flat()
        const cursors = chains.map(() => 0)
        const interleaved: Commit[] = []
        for (let i = 0; interleaved.length < sequential.length; i++) {
          let w = picks[i % picks.length] ?? 0
          while (cursors[w] >= chains[w].length) w = (w + 1) % chains.length
          interleaved.push(chains[w][cursors[w]++])
        }
        const results: Array<[string[], string[]]> = []
        for (const order of [sequential, interleaved, [...chains].reverse().flat()]) {
          const backend = await harness.open()
          try {
            for (const c of order) await backend.apply([c])
            results.push([await contents(backend), cids(await backend.heads())])
          } finally {
            await backend.close()
            harness.cleanup?.()
          }
        }
        expect(results[1]).toEqual(results[0])
        expect(results[2]).toEqual(results[0])
      }), { seed: 20260907, numRuns: 25 })
    }, 60_000)
  })
}
