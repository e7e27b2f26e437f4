/**
 * The fuzz targets: every parser and decoder Rhizome's query and import paths take
 * outside input through, and those of the network (network-targets.ts). Each starts from a small corpus of valid inputs
 * (corpus.ts) and mutates it (mutate.ts).
 */
import type * as RDF from '@rdfjs/types'
import { Parser } from 'n3'
import { openGraph, type Graph } from '../../index.js'
import { MemorySource, executeQuery } from '../../query/index.js'
import type { RdfFormat } from '../../quad-model/index.js'
import type { Target } from './harness.js'
import { mutatedBytes, mutatedText } from './mutate.js'
import fc from 'fast-check'
import { QUERIES, QUERY_TOKENS, RDF_CORPUS, RDF_TOKENS, UPDATES, DATA } from './corpus.js'
import { generatedQuery, generatedUpdate } from './sparql-grammar.js'
import { makeNetworkTarget, NETWORK_TARGET_NAMES } from './network-targets.js'

const showText = (s: string): string => JSON.stringify(s)

/** Heads as one string, to tell whether a failed write changed anything. */
async function headsOf (graph: Graph): Promise<string> {
  return (await graph.heads()).map(h => h.toString()).sort().join(' ')
}

/** Runs a write; a failure that changed the heads is a partial apply, any other is rethrown. */
async function write (graph: Graph, run: () => Promise<unknown>): Promise<'ok' | 'partial'> {
  const before = await headsOf(graph)
  try {
    await run()
    return 'ok'
  } catch (e) {
    if (await headsOf(graph) !== before) return 'partial'
    throw e
  }
}

export function queryTarget (): Target<string> {
  const source = new MemorySource(new Parser({ format: 'application/trig' }).parse(DATA) as RDF.Quad[])
  return {
    name: 'sparql-query',
    inputs: fc.oneof(mutatedText(QUERIES, QUERY_TOKENS), generatedQuery),
    show: showText,
    run: async (text, signal) => {
      const r = await executeQuery(source, text, { signal, timeoutMs: 1000, limit: 10_000 })
      if (r.type !== 'boolean') for await (const _ of r) { /* drain */ }
      return 'ok'
    }
  }
}

async function fuzzGraph (): Promise<Graph> {
  const graph = await openGraph({ create: { name: 'fuzz' } })
  await graph.import(DATA, { format: 'trig' })
  return graph
}

export async function updateTarget (): Promise<Target<string>> {
  const graph = await fuzzGraph()
  return {
    name: 'sparql-update',
    inputs: fc.oneof(mutatedText(UPDATES, QUERY_TOKENS), generatedUpdate),
    show: showText,
    run: async (text, signal) => await write(graph, async () => await graph.update(text, { signal })),
    close: async () => { await graph.close() }
  }
}

export async function rdfTarget (format: RdfFormat): Promise<Target<string>> {
  const graph = await fuzzGraph()
  return {
    name: format,
    inputs: mutatedText(RDF_CORPUS[format], RDF_TOKENS),
    show: showText,
    run: async (text, signal) => await write(graph, async () => await graph.import(text, { format, signal })),
    close: async () => { await graph.close() }
  }
}

/** CAR files exported by a graph with a few commits, mutated, merged into a fresh replica of the same database. */
export async function carTarget (): Promise<Target<Uint8Array>> {
  const origin = await fuzzGraph()
  for (const text of UPDATES.slice(0, 3)) await origin.update(text)
  const chunks: Uint8Array[] = []
  for await (const c of origin.exportCar()) chunks.push(c)
  const car = Buffer.concat(chunks)
  // A replica that knows the database (its manifest) and nothing else: CAR blocks are its only input.
  const target = await openGraph({ address: origin.address, fetch: origin.blocks })
  return {
    name: 'car',
    inputs: mutatedBytes([new Uint8Array(car)]),
    show: b => Buffer.from(b).toString('base64'),
    run: async (bytes, signal) => await write(target, async () => await target.mergeCar(bytes, { signal })),
    close: async () => { await target.close(); await origin.close() }
  }
}

export const TARGET_NAMES = ['sparql-query', 'sparql-update', 'ntriples', 'nquads', 'turtle', 'trig', 'rdfxml', 'jsonld', 'car', ...NETWORK_TARGET_NAMES] as const

export type TargetName = typeof TARGET_NAMES[number]

export async function makeTarget (name: TargetName): Promise<Target<string> | Target<Uint8Array>> {
  switch (name) {
    case 'sparql-query': return queryTarget()
    case 'sparql-update': return await updateTarget()
    case 'car': return await carTarget()
    case 'announcement': case 'catchup': case 'commit-node': case 'ipns-record': case 'http-request': return await makeNetworkTarget(name)
    default: return await rdfTarget(name)
  }
}
