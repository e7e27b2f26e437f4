/**
 * A page that replicates a graph kept in IndexedDB with a `rhizome serve` over
 * WebSockets, through the browser build's public entry, as a dapp would:
 * tests/browser/replication.test.ts drives it through these window functions. Each
 * answers plain data, and a RhizomeError as its code.
 */
import { createReplicator, openBrowserGraph, solutionToRecord, type Graph, type Replicator } from '../../browser/index.js'

type Rows = Array<Record<string, string>>

const graphs = new Map<string, { graph: Graph, replicator?: Replicator }>()

function held (name: string): { graph: Graph, replicator?: Replicator } {
  const open = graphs.get(name)
  if (open === undefined) throw new Error(`${name} is not open`)
  return open
}

async function select (graph: Graph, text: string): Promise<Rows> {
  const result = await graph.query(text)
  if (result.type !== 'bindings') throw new Error('expected bindings')
  const rows: Rows = []
  for await (const row of result) {
    rows.push(Object.fromEntries(Object.entries(solutionToRecord(row)).map(([k, v]) => [k, v?.value ?? ''])))
  }
  return rows.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
}

const code = (err: unknown): string => (err as { code?: string }).code ?? `uncoded: ${String(err)}`

/** The connection gater's escape hatch for a `rhizome serve` on loopback over plain ws://. */
const LOCAL = { allowInsecureLocal: true }

const api = {
  /** A new replica of the database at `address`, its manifest fetched from `peer`, replicating with it. */
  clone: async (name: string, address: string, peer: string) => {
    const replicator = await createReplicator({ ...LOCAL, peers: [peer] })
    try {
      const graph = await openBrowserGraph({ name, address, fetch: replicator.manifestFetcher() })
      await graph.replicateOn(replicator)
      graphs.set(name, { graph, replicator })
      return { address: graph.address, writer: graph.writer }
    } catch (err) {
      await replicator.stop()
      throw err
    }
  },
  /** Opens the stored replica `name`; with `peer`, replicates with it through graph.replicate. */
  open: async (name: string, peer?: string) => {
    const graph = await openBrowserGraph({ name })
    const replicator = peer === undefined ? undefined : await graph.replicate({ ...LOCAL, peers: [peer] })
    graphs.set(name, { graph, replicator })
    return { address: graph.address, writer: graph.writer }
  },
  update: async (name: string, text: string) => { await held(name).graph.update(text) },
  select: async (name: string, text: string) => await select(held(name).graph, text),
  /**
   * Resolves with the rows of `text` once they include every row of `want`, looking
   * again after each change of the graph (a merge from a peer is one); rejects with the
   * last rows after `ms`.
   */
  until: async (name: string, text: string, want: Rows, ms: number) => {
    const { graph } = held(name)
    const has = (rows: Rows): boolean => want.every(w => rows.some(r => JSON.stringify(r) === JSON.stringify(w)))
    let rows = await select(graph, text)
    if (has(rows)) return rows
    return await new Promise<Rows>((resolve, reject) => {
      let looking = false
      let again = false
      const look = async (): Promise<void> => {
        if (looking) { again = true; return }
        looking = true
        try {
          do {
            again = false
            rows = await select(graph, text)
            if (has(rows)) { done(); resolve(rows); return }
          } while (again)
        } catch (err) {
          done()
          reject(err)
        } finally {
          looking = false
        }
      }
      const onChange = (): void => { void look() }
      const timer = setTimeout(() => { done(); reject(new Error(`not within ${ms} ms; rows: ${JSON.stringify(rows)}`)) }, ms)
      const done = (): void => { clearTimeout(timer); graph.removeEventListener('change', onChange) }
      graph.addEventListener('change', onChange)
      void look() // a change between the first look and listening
    })
  },
  /** The peers the replicator is connected to. */
  peers: async (name: string) => held(name).replicator?.ipfs.libp2p.getPeers().map(p => p.toString()) ?? [],
  /** Tries to dial `peer` with the default (secure) rule; answers 'ok' or the error's code. */
  dialDefault: async (peer: string) => {
    try {
      const replicator = await createReplicator({ peers: [peer] })
      await replicator.stop()
      return 'ok'
    } catch (err) {
      return code(err)
    }
  },
  close: async (name: string) => {
    const open = graphs.get(name)
    graphs.delete(name)
    await open?.graph.close()
    if (open?.replicator !== undefined) await open.replicator.stop()
  }
}

declare global {
  interface Window { replica: typeof api, ready?: boolean }
}

/** An error's message with its causes', which page.evaluate would drop. */
function explained (err: unknown): Error {
  const parts: string[] = []
  for (let e: unknown = err; e !== undefined && parts.length < 5; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e))
  }
  return new Error(parts.join(' <- '))
}

window.replica = Object.fromEntries(Object.entries(api).map(([name, f]) => [name, async (...args: unknown[]) => {
  try {
    return await (f as (...a: unknown[]) => Promise<unknown>)(...args)
  } catch (err) {
    throw explained(err)
  }
}])) as typeof api
window.ready = true
