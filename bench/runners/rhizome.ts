/**
 * Rhizome runner: the on-disk default (`openGraph({ path })`), through the public
 * API only, as a dapp would use it.
 */
import { rm } from 'node:fs/promises'
import { DataFactory } from 'n3'
import { openGraph } from '../../index.js'
import { lubmByteStream } from '../lubm.js'
import { durableCommits, folderBytes, memorySample, memoryUse, numberArg, runTask, since, stringArg } from './protocol.js'
import type { Quad } from '@rdfjs/types'

/** The predicate of every small write, so that a reopened database can count them. */
const commitPredicate = DataFactory.namedNode('http://example.org/bench#value')

/** The i-th small write: one triple with its own subject (the same one the peers write). */
function commitQuad (i: number): Quad {
  return DataFactory.quad(
    DataFactory.namedNode(`http://example.org/bench/item/${i}`),
    commitPredicate,
    DataFactory.literal(String(i))
  ) as Quad
}

async function count (quads: AsyncIterable<Quad>): Promise<number> {
  let n = 0
  for await (const _ of quads) n++
  return n
}

await runTask({
  /**
   * One `import` of the whole gunzipped N-Triples stream into a fresh database: one
   * atomic, signed commit, timed until it resolves (hashing, signing and indexing
   * included), then closed. The stream carries bytes, as a file does; decoding is
   * Rhizome's job.
   */
  async load (args) {
    const path = stringArg(args, 'path')
    await rm(path, { recursive: true, force: true })
    const graph = await openGraph({ path })
    const start = performance.now()
    const { quads } = await graph.import(lubmByteStream(numberArg(args, 'scale')), { format: 'ntriples' })
    const ms = since(start)
    const closeStart = performance.now()
    await graph.close()
    const closeMs = since(closeStart)
    return { quads, ms, quadsPerSecond: quads / ms * 1000, closeMs, diskBytes: await folderBytes(path) }
  },

  /**
   * In a fresh process: open the loaded database until the first quad of `match()`
   * comes back (the reopen time), then count every quad, then measure memory. The
   * baseline is taken after the modules are loaded, so code is not counted.
   */
  async reopen (args) {
    const path = stringArg(args, 'path')
    const before = memorySample()
    const start = performance.now()
    const graph = await openGraph({ path })
    let first = false
    for await (const _ of graph.match()) { first = true; break }
    const reopenMs = since(start)
    if (!first) throw new Error(`the database in ${path} is empty`)
    const scanStart = performance.now()
    const quads = await count(graph.match())
    const scanMs = since(scanStart)
    const after = memorySample()
    await graph.close()
    return { reopenMs, quads, scanMs, scanQuadsPerSecond: quads / scanMs * 1000, memory: memoryUse(before, after, quads) }
  },

  /**
   * `writes` single-quad commits, each awaited (each one signed node in the Merkle
   * clock), then a SIGKILL without closing: the parent counts in a fresh process
   * what survived.
   */
  async commits (args) {
    return await durableCommits(args, async (path) => {
      const graph = await openGraph({ path })
      return { write: async (i) => { await graph.insert([commitQuad(i)]) }, close: async () => { await graph.close() } }
    })
  },

  /** Counts the writes of `commits` that the reopened database holds. */
  async verify (args) {
    const graph = await openGraph({ path: stringArg(args, 'path') })
    const found = await count(graph.match(undefined, commitPredicate))
    await graph.close()
    return { found }
  }
})
