/**
 * Query benchmark runner for Comunica (`@comunica/query-sparql-rdfjs`) over an
 * N3.js in-memory Store, loaded from N3.js's StreamParser, queried in the same
 * process. A query is stopped by destroying its bindings stream.
 */
import { QueryEngine } from '@comunica/query-sparql-rdfjs'
import { Store } from 'n3'
import { lubmQuads } from '../lubm.js'
import { numberArg, runTask, since } from './protocol.js'
import { countBindings } from './query-comunica.js'
import { timeQueries } from './query-timing.js'

await runTask({
  async queries (args) {
    const store = new Store()
    const start = performance.now()
    await new Promise<void>((resolve, reject) => {
      const quads = lubmQuads(numberArg(args, 'scale'))
      quads.on('data', (q) => { store.addQuad(q) })
      quads.on('error', reject)
      quads.on('end', resolve)
    })
    const loadMs = since(start)
    const engine = new QueryEngine()
    return await timeQueries(args, async (text, signal) => {
      return await countBindings(await engine.queryBindings(text, { sources: [store] }), signal)
    }, { quads: store.size, loadMs })
  }
})
