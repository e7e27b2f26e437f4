/**
 * N3.js runner: the parser alone (the floor under every JavaScript peer, which
 * all parse with it), and N3.js's in-memory Store.
 */
import { Store } from 'n3'
import { lubmQuads } from '../lubm.js'
import { memorySample, memoryUse, numberArg, runTask, since } from './protocol.js'
import type { Quad } from '@rdfjs/types'

await runTask({
  /** Gunzip and parse LUBM, keeping nothing: how fast the input can be read at all. */
  async parse (args) {
    const start = performance.now()
    let quads = 0
    await consume(lubmQuads(numberArg(args, 'scale')), () => { quads++ })
    const ms = since(start)
    return { quads, ms, quadsPerSecond: quads / ms * 1000 }
  },

  /** Bulk load into an N3.js Store, then measure what the loaded store holds in memory. */
  async load (args) {
    const before = memorySample()
    const store = new Store()
    const start = performance.now()
    await consume(lubmQuads(numberArg(args, 'scale')), (quad) => { store.addQuad(quad) })
    const ms = since(start)
    const quads = store.size
    const after = memorySample()
    return { quads, ms, quadsPerSecond: quads / ms * 1000, memory: memoryUse(before, after, quads) }
  }
})

/** Feeds every quad of a stream to `each` through 'data' events, the parser's fastest path. */
async function consume (stream: NodeJS.ReadableStream, each: (quad: Quad) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.on('data', each)
    stream.on('error', reject)
    stream.on('end', resolve)
  })
}
