/**
 * quadstore runner: quadstore on LevelDB (classic-level), persistent like
 * Rhizome's on-disk default, with its six default index orderings. Quads come from
 * N3.js's StreamParser, fed through quadstore's own `putStream` in batches (the
 * README's recipe; a batch is one LevelDB write batch).
 */
import { rm } from 'node:fs/promises'
import { ClassicLevel } from 'classic-level'
import { Quadstore } from 'quadstore'
import { DataFactory } from 'rdf-data-factory'
import { lubmQuads } from '../lubm.js'
import { emitResult, warmUp, folderBytes, memorySample, memoryUse, numberArg, runTask, since, stringArg } from './protocol.js'
import type { Quad } from '@rdfjs/types'
import type { StoreOpts } from 'quadstore'

/** Quads per LevelDB batch; 1,000 loaded fastest of 100, 1,000 and 10,000 on LUBM(1). */
const batchSize = 1_000
const df = new DataFactory()

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

async function openStore (path: string): Promise<Quadstore> {
  // classic-level 3 implements abstract-level 3, as quadstore expects; the cast only
  // bridges TypeScript's variance check on the `hooks` generics.
  const backend = new ClassicLevel(path) as unknown as StoreOpts['backend']
  const store = new Quadstore({ backend, dataFactory: df })
  await store.open()
  return store
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
    const path = stringArg(args, 'path')
    const writes = numberArg(args, 'writes')
    let warm: Awaited<ReturnType<typeof openStore>> | undefined
    const coldCommitsPerSecond = await warmUp(`${path}-warmup`, numberArg(args, 'warmup'), {
      open: async () => { warm = await openStore(`${path}-warmup`) },
      write: async (i) => { await warm!.put(commitQuad(i)) },
      close: async () => { await warm!.close() }
    })
    await rm(path, { recursive: true, force: true })
    const store = await openStore(path)
    const start = performance.now()
    for (let i = 0; i < writes; i++) await store.put(commitQuad(i))
    const ms = since(start)
    await emitResult({ writes, ms, commitsPerSecond: writes / ms * 1000, coldCommitsPerSecond })
    process.kill(process.pid, 'SIGKILL')
    return {}
  },

  /** Counts the writes of `commits` that the reopened database holds. */
  async verify (args) {
    const store = await openStore(stringArg(args, 'path'))
    const found = (await store.get({ predicate: df.namedNode(commitPredicate) })).items.length
    await store.close()
    return { found }
  }
})
