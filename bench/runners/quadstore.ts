/**
 * quadstore runner: quadstore on LevelDB (classic-level), persistent like
 * Rhizome's on-disk default, with its six default index orderings. Quads come from
 * N3.js's StreamParser, fed through quadstore's own `putStream` in batches (the
 * README's recipe; a batch is one LevelDB write batch).
 */
import { rm } from 'node:fs/promises'
import { Quadstore } from 'quadstore'
import { lubmQuads } from '../lubm.js'
import { df, openStore } from './quadstore-open.js'
import { durableCommits, folderBytes, memorySample, memoryUse, numberArg, runTask, since, stringArg } from './protocol.js'
import type { Quad } from '@rdfjs/types'

/** Quads per LevelDB batch; 1,000 loaded fastest of 100, 1,000 and 10,000 on LUBM(1). */
const batchSize = 1_000

/** The predicate of every small write, so that a reopened database can count them. */
const commitPredicate = 'http://example.org/bench#value'

/** The i-th small write: one triple with its own subject. */
function commitQuad (i: number): Quad {
  return df.quad(
    df.namedNode(`http://example.org/bench/item/${i}`),
    df.namedNode(commitPredicate),
    df.literal(String(i))
  )
}

/** Counts exactly; countQuads() is an estimate from LevelDB's approximate sizes. */
async function countAll (store: Quadstore): Promise<number> {
  let quads = 0
  for await (const _ of store.match()) quads++
  return quads
}

await runTask({
  /** Bulk load LUBM into a fresh database folder, then close it. */
  async load (args) {
    const path = stringArg(args, 'path')
    await rm(path, { recursive: true, force: true })
    const store = await openStore(path)
    const start = performance.now()
    await store.putStream(lubmQuads(numberArg(args, 'scale')), { batchSize })
    const ms = since(start)
    const quads = await countAll(store)
    await store.close()
    return { quads, ms, quadsPerSecond: quads / ms * 1000, batchSize, diskBytes: await folderBytes(path) }
  },

  /** In a fresh process: reopen until the first quad comes back, then scan all and measure memory. */
  async reopen (args) {
    const path = stringArg(args, 'path')
    const before = memorySample()
    const start = performance.now()
    const store = await openStore(path)
    const first = store.match()
    await new Promise<void>((resolve, reject) => {
      first.once('data', () => resolve())
      first.once('error', reject)
      first.once('end', () => reject(new Error('the reopened store is empty')))
    })
    const reopenMs = since(start)
    first.destroy()
    const scanStart = performance.now()
    const quads = await countAll(store)
    const scanMs = since(scanStart)
    const after = memorySample()
    await store.close()
    return { reopenMs, quads, scanMs, scanQuadsPerSecond: quads / scanMs * 1000, memory: memoryUse(before, after, quads) }
  },

  /**
   * Single-quad writes, each awaited (each one LevelDB write), then a SIGKILL
   * without closing: the parent counts in a fresh process what survived.
   */
  async commits (args) {
    return await durableCommits(args, async (path) => {
      const store = await openStore(path)
      return { write: async (i) => { await store.put(commitQuad(i)) }, close: async () => { await store.close() } }
    })
  },

  /** Counts the writes of `commits` that the reopened database holds. */
  async verify (args) {
    const store = await openStore(stringArg(args, 'path'))
    const found = (await store.get({ predicate: df.namedNode(commitPredicate) })).items.length
    await store.close()
    return { found }
  }
})
