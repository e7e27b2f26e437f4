import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { factory, openGraph, generateKeyPair, writerId, type Graph, type KeyPair, type RDF } from '../../index.js'

export const ex = (name: string): RDF.NamedNode => factory.namedNode(`http://example.org/${name}`)
export const quad = (s: string, p: string, o: string | RDF.Term, g?: string): RDF.Quad =>
  factory.quad(ex(s), ex(p), typeof o === 'string' ? ex(o) : o as RDF.Quad_Object, g === undefined ? factory.defaultGraph() : ex(g))

/** Canonical dump of a graph's quads: sorted N-Quads-like lines. */
export async function dump (graph: Graph): Promise<string[]> {
  const lines: string[] = []
  for await (const q of graph.match()) lines.push([q.subject, q.predicate, q.object, q.graph].map(t => `${t.termType}:${t.value}:${t.termType === 'Literal' ? (t as RDF.Literal).language + (t as RDF.Literal).datatype.value : ''}`).join(' '))
  return lines.sort()
}

export async function headStrings (graph: Graph): Promise<string[]> {
  return (await graph.heads()).map(h => h.toString()).sort()
}

export type BackendKind = 'memory' | 'sqlite'
const openedDirs: string[] = []

/** Several replicas of one closed database, each with its own writer key, in memory or each in its own folder. */
export async function replicas (count: number, kind: BackendKind = 'memory'): Promise<Graph[]> {
  const keys: KeyPair[] = Array.from({ length: count }, () => generateKeyPair())
  const where = (): { path?: string } => {
    if (kind === 'memory') return {}
    const path = mkdtempSync(join(tmpdir(), 'rhizome-replica-'))
    openedDirs.push(path)
    return { path }
  }
  const first = await openGraph({ ...where(), identity: keys[0], create: { name: 'test', writers: keys.slice(1).map(k => writerId(k.publicKey)) } })
  const rest = await Promise.all(keys.slice(1).map(async identity => await openGraph({ ...where(), identity, address: first.address, fetch: first.blocks })))
  return [first, ...rest]
}

/** Closes graphs and removes the folders `replicas` made. */
export async function closeAll (graphs: Graph[]): Promise<void> {
  await Promise.all(graphs.map(async g => await g.close()))
  for (const dir of openedDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function tempDir (): { path: string, remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'rhizome-test-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
