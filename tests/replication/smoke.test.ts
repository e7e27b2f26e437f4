import { afterEach, describe, expect, it } from 'vitest'
import { closeAll, converged, dump, mesh, quad, replicas, waitFor, type Replica } from './helpers.js'

let nodes: Replica[] = []
afterEach(async () => { await closeAll(nodes); nodes = [] })

describe('replication', () => {
  it('two replicas exchange commits both ways', async () => {
    nodes = await replicas(2, 1)
    const [a, b] = nodes
    await a.graph.insert([quad('a', 'p', '1')])
    await mesh(nodes)
    await b.graph.insert([quad('b', 'p', '2')])
    await waitFor(async () => await converged([a.graph, b.graph]) && (await a.graph.size()) === 2, 'convergence', { graphs: [a.graph, b.graph] })
    expect(await dump(a.graph)).toEqual(await dump(b.graph))
  })
})
