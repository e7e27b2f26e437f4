/**
 * Query benchmark runner for Rhizome: the on-disk default (`openGraph({ path })`),
 * loaded by one `import` in one process, queried warm in a fresh one, through the
 * public API only.
 */
import { rm } from 'node:fs/promises'
import { openGraph } from '../../index.js'
import { lubmByteStream } from '../lubm.js'
import { numberArg, runTask, since, stringArg } from './protocol.js'
import { timeQueries } from './query-timing.js'

await runTask({
  async load (args) {
    const path = stringArg(args, 'path')
    await rm(path, { recursive: true, force: true })
    const graph = await openGraph({ path })
    const start = performance.now()
    const { quads } = await graph.import(lubmByteStream(numberArg(args, 'scale')), { format: 'ntriples' })
    const ms = since(start)
    await graph.close()
    return { quads, loadMs: ms }
  },

  /** `unprepared`: every run's text differs by a comment, so none finds the parsed query kept from the last. */
  async queries (args) {
    const graph = await openGraph({ path: stringArg(args, 'path') })
    let runs = 0
    try {
      return await timeQueries(args, async (text, signal) => {
        const result = await graph.query(args.unprepared === true ? `${text}\n# run ${++runs}` : text, { signal })
        if (result.type !== 'bindings') throw new Error(`expected bindings, got ${result.type}`)
        let n = 0
        for await (const _ of result) n++
        return n
      })
    } finally {
      await graph.close()
    }
  }
})
