import { mkdtempSync, rmSync } from 'node:fs'

import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { factory, generateKeyPair, keyPairFromSeed, openGraph, writerId, type Graph, type KeyPair, type RDF } from '../../index.js'
import type { Replicator, ReplicatorOptions } from '../../replication/index.js'

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

/** A small fast PRNG (mulberry32): every random choice in these tests comes from a seed. */
export function seeded (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A deterministic key from a seed, so failures name the same writers on every run. */
export function seededKey (random: () => number): KeyPair {
  return keyPairFromSeed(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)))
}

export const ex = (name: string): RDF.NamedNode => factory.namedNode(`http://example.org/${name}`)
export const quad = (s: string, p: string, o: string): RDF.Quad => factory.quad(ex(s), ex(p), factory.literal(o))

/**
 * Waits until `check` holds, re-checking whenever one of `graphs` changes and otherwise
 * every 25 ms; rejects after `timeout` ms with `what` in the message.
 */
export async function waitFor (check: () => boolean | Promise<boolean>, what: string, options: { timeout?: number, graphs?: EventTarget[] } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeout ?? 20_000)
  let wake: (() => void) | undefined
  const onChange = (): void => wake?.()
  for (const g of options.graphs ?? []) g.addEventListener('change', onChange)
  try {
    for (;;) {
      if (await check()) return
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>(resolve => {
        wake = resolve
        setTimeout(resolve, 25).unref()
      })
    }
  } finally {
    for (const g of options.graphs ?? []) g.removeEventListener('change', onChange)
  }
}

export async function dump (graph: Graph): Promise<string[]> {
  const lines: string[] = []
  for await (const q of graph.match()) lines.push(`${q.subject.value} ${q.predicate.value} ${q.object.value} ${q.graph.value}`)
  return lines.sort()
}

export async function headKey (graph: Graph): Promise<string> {
  return (await graph.heads()).map(h => h.toString()).sort().join(',')
}

/** True when every graph has the same heads (and so, by the CRDT, the same quads). */
export async function converged (graphs: Graph[]): Promise<boolean> {
  const keys = await Promise.all(graphs.map(headKey))
  return keys.every(k => k === keys[0])
}

export interface Replica { graph: Graph, replicator: Replicator }

const dirs: string[] = []
export function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'rhizome-repl-'))
  dirs.push(dir)
  return dir
}

/**
 * `count` replicas of one closed database, every one a writer, each in memory with its own
 * replicator on loopback TCP (not yet connected to each other).
 */
export async function replicas (count: number, seed: number, options: ReplicatorOptions = {}): Promise<Replica[]> {
  const random = seeded(seed)
  const keys = Array.from({ length: count }, () => seededKey(random))
  const first = await openGraph({ identity: keys[0], create: { name: `test-${seed}`, writers: keys.slice(1).map(k => writerId(k.publicKey)) } })
  const graphs = [first, ...await Promise.all(keys.slice(1).map(async identity => await openGraph({ identity, address: first.address, fetch: first.blocks })))]
  return await Promise.all(graphs.map(async (graph, i) => ({
    graph,
    replicator: await graph.replicate({ listen: LOOPBACK, workers: 0, random: seeded(seed * 100 + i), announceInterval: 1_000, ...options })
  })))
}

/** Connects every replica to every other. */
export async function mesh (nodes: Replica[]): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) await nodes[i].replicator.connect(nodes[j].replicator.multiaddrs[0])
  }
}

export async function closeAll (nodes: Array<{ graph: Graph }>): Promise<void> {
  await Promise.all(nodes.map(async n => await n.graph.close()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export { generateKeyPair }

export { stockHelia } from '../../bench/stock-helia.js'
