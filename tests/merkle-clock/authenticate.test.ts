/**
 * Authentication by a same-author descendant (merkle-clock/authenticate.ts), and the same
 * rule in the core's merge (collectMissing): a node whose own signature fails is accepted
 * only when an authentic node of its own author lists it as a parent, whose signature
 * covers its CID and so its exact bytes. Tables of cases, then random DAGs against a
 * reference fixpoint.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import * as dagCbor from '@ipld/dag-cbor'
import { sha256 } from 'multiformats/hashes/sha2'
import { keyPairFromSeed, factory } from '../../index.js'
import { authenticate, collectMissing, createCommit, createManifest, encodeBlock, signatureHolds, Signer, WriterSet, type Block, type ClockNode, type Commit, type Endorsable } from '../../merkle-clock/index.js'
import { encodeDelta, quadKeys } from '../../quad-model/index.js'

// ---------------------------------------------------------------------------------------
// The rule on synthetic nodes: authors are small numbers, signatures a flag per node.

interface Fake extends Endorsable { name: string, good: boolean }

const cidOf = (name: string): CID => CID.createV1(dagCbor.code, sha256.digest(new TextEncoder().encode(name)) as Awaited<ReturnType<typeof sha256.digest>>)
const authorKey = (author: number): Uint8Array => new Uint8Array(32).fill(author)

/** Nodes from `spec`: name → [author, own signature good, parent names]. */
function dag (spec: Record<string, [number, boolean, string[]]>): Fake[] {
  return Object.entries(spec).map(([name, [author, good, parents]]) => ({
    name, good, cid: cidOf(name), value: { author: authorKey(author), parents: parents.map(cidOf) }
  }))
}

async function run (nodes: Fake[], endorse = true): Promise<{ failed: string[], checked: string[] }> {
  const checked: string[] = []
  const failed = await authenticate(nodes, {
    endorse,
    check: async batch => batch.map(n => { checked.push(n.name); return n.good })
  })
  return { failed: failed.map(n => n.name), checked: checked.sort() }
}

describe('authenticate: which nodes are authentic', () => {
  const cases: Array<{ name: string, spec: Record<string, [number, boolean, string[]]>, failed: string[], checked: string[] }> = [
    { name: 'one good node', spec: { a: [1, true, []] }, failed: [], checked: ['a'] },
    { name: 'one bad node', spec: { a: [1, false, []] }, failed: ['a'], checked: ['a'] },
    {
      name: 'a chain of one author is checked at its newest node only',
      spec: { a: [1, true, []], b: [1, true, ['a']], c: [1, true, ['b']] },
      failed: [],
      checked: ['c']
    },
    {
      name: 'a bad signature endorsed by a good same-author child is authentic',
      spec: { a: [1, false, []], b: [1, true, ['a']] },
      failed: [],
      checked: ['b']
    },
    {
      name: 'a bad signature linked only by another author is not',
      spec: { a: [1, false, []], b: [2, true, ['a']] },
      failed: ['a'],
      checked: ['a', 'b']
    },
    {
      name: 'a bad newest node: the older ones are checked on their own, and a good one endorses its own parents',
      spec: { a: [1, false, []], b: [1, true, ['a']], c: [1, false, ['b']] },
      failed: ['c'],
      checked: ['a', 'b', 'c']
    },
    {
      name: 'a bad node endorsed only by a bad node is not authentic',
      spec: { a: [1, false, []], b: [1, false, ['a']] },
      failed: ['a', 'b'],
      checked: ['a', 'b']
    },
    {
      name: 'two writers interleaved: one check per writer',
      spec: { a1: [1, true, []], b1: [2, true, ['a1']], a2: [1, true, ['a1', 'b1']], b2: [2, true, ['a2', 'b1']] },
      failed: [],
      checked: ['a2', 'b2']
    },
    {
      name: 'a parent outside the set endorses nothing and needs nothing',
      spec: { b: [1, true, ['elsewhere']] },
      failed: [],
      checked: ['b']
    },
    {
      name: 'a merge node endorses each same-author parent',
      spec: { a: [1, false, []], b: [1, false, []], m: [1, true, ['a', 'b']] },
      failed: [],
      checked: ['m']
    }
  ]
  for (const c of cases) {
    it(c.name, async () => {
      expect(await run(dag(c.spec))).toEqual({ failed: c.failed, checked: c.checked })
    })
  }

  it('with endorse off, every node is checked and every bad one fails', async () => {
    const nodes = dag({ a: [1, false, []], b: [1, true, ['a']], c: [2, true, ['b']] })
    expect(await run(nodes, false)).toEqual({ failed: ['a'], checked: ['a', 'b', 'c'] })
  })

  it('nodes known authentic are not checked and endorse their same-author parents', async () => {
    const nodes = dag({ a: [1, false, []], b: [1, false, ['a']] })
    const checked: string[] = []
    const failed = await authenticate(nodes, { authentic: n => n.name === 'b', check: async batch => batch.map(n => { checked.push(n.name); return n.good }) })
    expect(failed).toEqual([])
    expect(checked).toEqual([])
  })

  it('matches the reference fixpoint on random DAGs (property)', async () => {
    const shape = fc.array(fc.record({ author: fc.nat(2), good: fc.boolean(), parents: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 30 })
    await fc.assert(fc.asyncProperty(shape, fc.boolean(), async (rows, endorse) => {
      // node i may name only earlier nodes as parents: a DAG, as hashes force
      const spec: Record<string, [number, boolean, string[]]> = {}
      rows.forEach((r, i) => {
        const parents = i === 0 ? [] : [...new Set(r.parents.map(p => `n${p % i}`))]
        spec[`n${i}`] = [r.author, r.good, parents]
      })
      const nodes = dag(spec)
      // reference: the least fixpoint, by iterating to stability
      const authentic = new Set(nodes.filter(n => n.good).map(n => n.name))
      for (let changed = endorse; changed;) {
        changed = false
        for (const child of nodes) {
          if (!authentic.has(child.name)) continue
          for (const p of spec[child.name][2]) {
            if (spec[p][0] === spec[child.name][0] && !authentic.has(p)) { authentic.add(p); changed = true }
          }
        }
      }
      const counted = new Map<string, number>()
      const failed = await authenticate(nodes, {
        endorse,
        check: async batch => batch.map(n => { counted.set(n.name, (counted.get(n.name) ?? 0) + 1); return n.good })
      })
      expect(failed.map(n => n.name)).toEqual(nodes.filter(n => !authentic.has(n.name)).map(n => n.name))
      expect([...counted.values()].every(c => c === 1)).toBe(true) // no signature is checked twice
      if (endorse && nodes.every(n => n.good)) {
        // all good: only the nodes no same-author node lists are checked
        const endorsed = new Set(nodes.flatMap(n => spec[n.name][2].filter(p => spec[p][0] === spec[n.name][0])))
        expect([...counted.keys()].sort()).toEqual(nodes.filter(n => !endorsed.has(n.name)).map(n => n.name).sort())
      }
    }), { seed: 4242, numRuns: 300 })
  })
})

// ---------------------------------------------------------------------------------------
// The rule in the core's merge, on real signed commits.

const alice = keyPairFromSeed(new Uint8Array(32).fill(1))
const bob = keyPairFromSeed(new Uint8Array(32).fill(2))
const manifest = createManifest({ writers: [alice.publicKey, bob.publicKey], created: 0 })
const writers = new WriterSet(manifest.value)
let counter = 0

function commit (signer: Signer, parents: Array<Block<ClockNode>>): Block<ClockNode> {
  const q = factory.quad(factory.namedNode('http://example.org/s'), factory.namedNode('http://example.org/p'), factory.literal(String(counter++)))
  return createCommit({ db: manifest.cid, parents: parents.map(p => ({ cid: p.cid, height: p.value.height })), chunks: encodeDelta([quadKeys(q)], []), signer, time: 0 }).node
}

/** The same node with its signature spoiled: a new CID, claiming the same author. */
function forge (node: Block<ClockNode>): Block<ClockNode> {
  const sig = node.value.sig.slice()
  sig[0] ^= 0xff
  return encodeBlock<ClockNode>({ ...node.value, sig })
}

async function merge (heads: Array<Block<ClockNode>>, blocks: Array<Block<ClockNode>>, endorse?: boolean): Promise<Commit[]> {
  const store = new Map(blocks.map(b => [b.cid.toString(), b.bytes]))
  return await collectMissing(heads.map(h => h.cid), {
    db: manifest.cid,
    writers,
    endorse,
    fetch: { get: async cid => store.get(cid.toString()) },
    local: { heightOf: async () => undefined }
  })
}

describe('merge: authentication by a same-author descendant', () => {
  const [a, b] = [new Signer(alice), new Signer(bob)]

  it('accepts a forged signature that a valid same-author child endorses, and only then', async () => {
    const forged = forge(commit(a, []))
    expect(signatureHolds(forged.value)).toBe(false)
    const child = commit(a, [forged])
    const merged = await merge([child], [forged, child])
    expect(merged.map(c => c.node.cid.toString())).toEqual([forged.cid.toString(), child.cid.toString()])
    // the same node with every signature checked
    await expect(merge([child], [forged, child], false)).rejects.toMatchObject({ code: 'ERR_BAD_SIGNATURE' })
  })

  it('rejects a forged node linked only by another writer', async () => {
    const forged = forge(commit(a, []))
    const child = commit(b, [forged])
    await expect(merge([child], [forged, child])).rejects.toMatchObject({ code: 'ERR_BAD_SIGNATURE', cid: forged.cid })
  })

  it('rejects a forged head whatever it links, and fetches nothing it names', async () => {
    const root = commit(a, [])
    const forged = forge(commit(a, [root]))
    const fetched: string[] = []
    const store = new Map([root, forged].map(n => [n.cid.toString(), n.bytes]))
    await expect(collectMissing([forged.cid], {
      db: manifest.cid,
      writers,
      fetch: { get: async cid => { fetched.push(cid.toString()); return store.get(cid.toString()) } },
      local: { heightOf: async () => undefined }
    })).rejects.toMatchObject({ code: 'ERR_BAD_SIGNATURE' })
    expect(fetched).toEqual([forged.cid.toString()])
  })

  it('a forged node reached first through another writer waits for its own writer\'s endorsement', async () => {
    // bob's head names alice's forged node and alice's good head; alice's head endorses it
    const forged = forge(commit(a, []))
    const aliceHead = commit(a, [forged])
    const bobHead = commit(b, [forged])
    const merged = await merge([bobHead, aliceHead], [forged, aliceHead, bobHead])
    expect(new Set(merged.map(c => c.node.cid.toString()))).toEqual(new Set([forged, aliceHead, bobHead].map(n => n.cid.toString())))
  })

  it('still checks everything else of an endorsed node', async () => {
    const otherDb = createManifest({ writers: [alice.publicKey], created: 1 })
    const foreign = createCommit({ db: otherDb.cid, parents: [], chunks: encodeDelta([], []), signer: a, time: 0 }).node
    const child = commit(a, [foreign])
    await expect(merge([child], [foreign, child])).rejects.toMatchObject({ code: 'ERR_WRONG_DATABASE' })
  })
})
