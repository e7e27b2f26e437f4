/**
 * Query benchmark runner for Oxigraph's JavaScript (WASM) build: its in-memory
 * store, loaded with its own N-Triples parser (as in runners/oxigraph.ts), then
 * queried in the same process. `query` is synchronous and returns every solution.
 */
import oxigraph from 'oxigraph'
import { lubmBytes } from '../lubm.js'
import { numberArg, runTask, since } from './protocol.js'
import { timeQueries } from './query-timing.js'

const sliceBytes = 1 << 20

function * slices (bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += sliceBytes) yield bytes.subarray(at, at + sliceBytes)
}

await runTask({
  async queries (args) {
    const store = new oxigraph.Store()
    const start = performance.now()
    store.load(slices(lubmBytes(numberArg(args, 'scale'))), { format: 'application/n-triples' })
    const loadMs = since(start)
    return await timeQueries(args, async (text) => {
      const result = store.query(text) as unknown
      if (!Array.isArray(result)) throw new Error('expected solutions')
      return result.length
    }, { quads: store.size, loadMs })
  }
})
