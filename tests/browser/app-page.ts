/**
 * A page using the browser build's public entry (browser/index.ts) as a dapp would:
 * tests/browser/persistence.test.ts drives it through these window functions. Each
 * answers plain data, and a RhizomeError as its code, so the test sees typed errors.
 */
import { openBrowserGraph, solutionToRecord, type Graph } from '../../browser/index.js'

const held = new Map<string, Graph>()

async function withGraph<T> (name: string, use: (graph: Graph) => Promise<T>): Promise<T> {
  const open = held.get(name)
  if (open !== undefined) return await use(open)
  const graph = await openBrowserGraph({ name })
  try {
    return await use(graph)
  } finally {
    await graph.close()
  }
}

async function select (graph: Graph, text: string): Promise<Array<Record<string, string>>> {
  const result = await graph.query(text)
  if (result.type !== 'bindings') throw new Error('expected bindings')
  const rows: Array<Record<string, string>> = []
  for await (const row of result) {
    const record = solutionToRecord(row)
    rows.push(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v?.value ?? ''])))
  }
  return rows.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
}

const code = (err: unknown): string => (err as { code?: string }).code ?? `uncoded: ${String(err)}`

const api = {
  /** Writes `update`, answers the graph's address, writer and quad count. */
  write: async (name: string, update: string) => await withGraph(name, async graph => {
    await graph.update(update)
    return { address: graph.address, writer: graph.writer, count: await graph.size() }
  }),
  select: async (name: string, query: string) => await withGraph(name, async graph => await select(graph, query)),
  info: async (name: string) => await withGraph(name, async graph => ({ address: graph.address, writer: graph.writer, count: await graph.size() })),
  /** Opens and keeps the graph open (a tab that uses it); answers an error code or 'ok'. */
  hold: async (name: string) => {
    try {
      held.set(name, await openBrowserGraph({ name }))
      return 'ok'
    } catch (err) {
      return code(err)
    }
  },
  release: async (name: string) => { await held.get(name)?.close(); held.delete(name) },
  /** Starts importing `n` triples as one commit and answers at once, while it runs (the test then closes the tab). */
  startImport: async (name: string, n: number) => {
    const lines: string[] = []
    for (let i = 0; i < n; i++) lines.push(`<urn:big:${i}> <urn:value> "${i}" .`)
    const graph = await openBrowserGraph({ name })
    void graph.import(lines.join('\n'), { format: 'ntriples' }).then(() => { window.imported = true })
    return 'started'
  },
  /**
   * Writes `rounds` updates of `size` characters each; answers the first error's code, or 'ok'.
   * The characters are seeded noise: Chromium compresses IndexedDB values, so a run of one letter would never fill a quota.
   */
  fill: async (name: string, rounds: number, size: number) => {
    try {
      await withGraph(name, async graph => {
        for (let i = 0; i < rounds; i++) {
          const value = `${i}:${incompressible(i + 1, size)}`
          await graph.update(`INSERT DATA { <urn:fill:${i}> <urn:value> "${value}" }`)
        }
      })
      return 'ok'
    } catch (err) {
      return code(err)
    }
  }
}

/** `size` letters from a seeded xorshift: the same for a seed, and too random to compress. */
function incompressible (seed: number, size: number): string {
  let x = seed * 2654435761 >>> 0 || 1
  let out = ''
  while (out.length < size) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0
    out += x.toString(36)
  }
  return out.slice(0, size)
}

declare global {
  interface Window { rhizome: typeof api, ready?: boolean, imported?: boolean }
}

window.rhizome = api
window.ready = true
