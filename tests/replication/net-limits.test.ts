/**
 * The network limits one by one, without a network: the announcement inbox (bounded,
 * newest announcement wins, one turn per peer), the serving budget (total and per peer),
 * the bitswap staging area (checks, budget, who sent what), the cut of a trickling reader
 * and catFile's block timeout.
 */
import { describe, expect, it } from 'vitest'
import type { CID } from 'multiformats/cid'
import { RhizomeError } from '../../quad-model/index.js'
import { openGraph } from '../../index.js'
import { catFile } from '../../replication/index.js'
import { serveCatchup } from '../../replication/catchup.js'
import { AnnouncementInbox } from '../../replication/inbox.js'
import { ServeBudget } from '../../replication/serve-budget.js'
import { BitswapStaging } from '../../replication/bitswap-staging.js'
import { everythingRequest, ghostCid, junkBlock } from '../../bench/hostile-node.js'
import { quad } from './helpers.js'

const codeOf = (err: unknown): string => err instanceof RhizomeError ? err.code : String(err)

describe('network limits', () => {
  it('the inbox keeps one entry per peer (its newest heads), refuses peers past its bound, and takes peers in turn', async () => {
    const seen: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const inbox = new AnnouncementInbox<string>(async (from, heads) => {
      if (seen.length === 0) await gate
      seen.push(`${from}:${heads.length}`)
    }, { maxPeers: 3, maxHeads: 2 })
    inbox.offer('honest', 'honest', [ghostCid('h')])
    // while the first entry is handled, a flooder sends a thousand announcements
    for (let i = 0; i < 1000; i++) inbox.offer('flooder', 'flooder', [ghostCid(`f${i}`), ghostCid(`g${i}`), ghostCid(`k${i}`)])
    inbox.offer('other', 'other', [ghostCid('o')])
    inbox.offer('late', 'late', [ghostCid('o')])
    expect(inbox.offer('one too many', 'x', [ghostCid('x')])).toBe(false)
    expect(inbox.size).toBe(3)
    expect(inbox.dropped).toBe(1)
    release()
    const deadline = Date.now() + 10_000
    while (seen.length < 4 && Date.now() < deadline) await new Promise(resolve => setImmediate(resolve))
    expect(seen).toEqual(['honest:1', 'flooder:2', 'other:1', 'late:1'])
  })

  it('the serving budget refuses past a peer\'s share and past the total, and gives back on release', () => {
    const budget = new ServeBudget({ totalBytes: 12, peerBytes: 8, streamBytes: 4 })
    const a1 = budget.reserve('a')
    budget.reserve('a')
    expect(() => budget.reserve('a')).toThrow(expect.objectContaining({ code: 'ERR_SERVE_BUSY' }))
    const b1 = budget.reserve('b')
    expect(() => budget.reserve('c')).toThrow(expect.objectContaining({ code: 'ERR_SERVE_BUSY' }))
    expect(budget.reserved).toBe(12)
    a1.release()
    a1.release()
    b1.release()
    expect(budget.reserved).toBe(4)
    expect(budget.reservedBy('b')).toBe(0)
    budget.reserve('c')
  })

  it('the staging area checks every block against its CID, stays within its budget, and knows who sent what', async () => {
    const [a, b] = [await junkBlock('a', 600), await junkBlock('b', 600)]
    const served = new Map<string, Uint8Array>([[a.cid.toString(), a.bytes], [b.cid.toString(), b.bytes]])
    const retrieve = async (cid: CID, options: { onProgress?: (e: { type: string, detail?: unknown }) => void }): Promise<Uint8Array> => {
      options.onProgress?.({ type: 'bitswap:block', detail: { cid, sender: 'peer-x' } })
      return served.get(cid.toString()) ?? new Uint8Array([1, 2, 3])
    }
    const staging = new BitswapStaging(retrieve, 1000)
    expect(await staging.fetch(a.cid)).toEqual(a.bytes)
    expect(staging.senderOf(a.cid)).toBe('peer-x')
    expect(await staging.fetch(b.cid).catch(codeOf)).toBe('ERR_STAGING_FULL')
    const liar = ghostCid('not these bytes')
    expect(await staging.fetch(liar).catch(codeOf)).toBe('ERR_HASH_MISMATCH')
    expect(staging.senderOf(liar)).toBe('peer-x')
    expect(staging.bytes).toBe(600)
    staging.clear()
    expect(staging.bytes).toBe(0)
    expect(staging.get(a.cid)).toBeUndefined()
  })

  it('a reader that trickles is cut with ERR_SLOW_READER once its waits pass the stall deadline and the least rate', async () => {
    const graph = await openGraph()
    try {
      const big = 'x'.repeat(1000)
      for (let c = 0; c < 10; c++) await graph.insert(Array.from({ length: 100 }, (_, k) => quad(`s${c}`, 'p', `${k} ${big}`)))
      const request = everythingRequest(graph.addressCid)
      const prefix = [request.length & 0x7f | (request.length > 0x7f ? 0x80 : 0), ...(request.length > 0x7f ? [request.length >> 7] : [])]
      let drains = 0
      // a stream whose reader takes each chunk `ms` after it is sent (the transport's buffer is always full)
      const serveTo = async (ms: number): Promise<unknown> => await serveCatchup({
        status: 'open',
        async * [Symbol.asyncIterator] () {
          yield Uint8Array.from([...prefix, ...request])
          await new Promise(() => {})
        },
        send: () => false,
        onDrain: async () => { drains++; if (ms > 0) await new Promise(resolve => setTimeout(resolve, ms)) },
        close: async () => {},
        addEventListener: () => {}
      } as never, () => graph as never, { stallTimeout: 300, minReadRate: 100 * 1024 * 1024, peer: 'trickler' }).catch(codeOf)
      expect(await serveTo(0)).toEqual({ sent: 10 })
      drains = 0
      expect(await serveTo(80)).toBe('ERR_SLOW_READER')
      expect(drains).toBeGreaterThan(3)
    } finally {
      await graph.close()
    }
  })

  it('catFile ends with ERR_NOT_FOUND_ON_NETWORK when a block does not come within its timeout', async () => {
    const never = {
      has: async () => false,
      put: async (cid: CID) => cid,
      get: async function * (_cid: CID, options?: { signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
        await new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }))
      }
    }
    const iri = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const read = async (): Promise<void> => { for await (const _ of catFile(never as never, iri, { blockTimeout: 50 })) { /* drain */ } }
    expect(await read().catch(codeOf)).toBe('ERR_NOT_FOUND_ON_NETWORK')
  })
})
