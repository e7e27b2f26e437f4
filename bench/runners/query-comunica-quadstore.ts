/**
 * Query benchmark runner for Comunica over quadstore (`quadstore-comunica`'s
 * Engine) on LevelDB (classic-level), persistent like Rhizome's default: loaded
 * with quadstore's `putStream` in one process, queried warm in a fresh one.
 */
import { rm } from 'node:fs/promises'
import { Engine } from 'quadstore-comunica'
import { lubmQuads } from '../lubm.js'
import { openStore } from './quadstore-open.js'
import { numberArg, runTask, since, stringArg } from './protocol.js'
import { countBindings } from './query-comunica.js'
import { timeQueries } from './query-timing.js'

await runTask({
  async load (args) {
    const path = stringArg(args, 'path')
    await rm(path, { recursive: true, force: true })
    const store = await openStore(path)
    const start = performance.now()
    await store.putStream(lubmQuads(numberArg(args, 'scale')), { batchSize: 1_000 })
    const loadMs = since(start)
    await store.close()
    return { loadMs }
  },

  async queries (args) {
    const store = await openStore(stringArg(args, 'path'))
    const engine = new Engine(store)
    try {
      return await timeQueries(args, async (text, signal) => {
        return await countBindings(await engine.queryBindings(text) as never, signal)
      })
    } finally {
      await store.close()
    }
  }
})
