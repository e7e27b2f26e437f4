/**
 * One replica of the simulation: a Graph in memory or on disk (SQLite), with a role.
 *
 * A crash of an on-disk replica copies its folder as a SIGKILL would leave it (the
 * store file, its WAL and the commit log, as written so far; not the lock, and not
 * the -shm index, which SQLite rebuilds from the WAL) and abandons the live store;
 * the restart opens the copy, which replays the commit log. The simulation runs one
 * step at a time and a store's writes are synchronous, so the copy is taken between
 * writes; tests/crash/ kills processes inside them.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { openGraph, type BlockFetcher, type Graph, type KeyPair, type RDF } from '../../index.js'
import type { Peer } from './network.js'

export type Role = 'writer' | 'reader' | 'pinner'

/**
 * Where the on-disk replicas live: a memory file system when there is one, since what
 * is simulated is the kill (the files as written), not the disk, and syncs to a real
 * disk shared with other work made most of a seed's time.
 */
const ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()

/** The files a kill leaves behind that the store reads on opening. */
const KEPT = ['store.sqlite', 'store.sqlite-wal', 'commits.log']

/** What a replica holds. Read without making the store commit its open group, so a crash after it finds the commit log as the writes left it. */
export interface Clock {
  /** Every commit it holds, as CID strings, sorted. */
  nodes: string[]
  heads: string[]
}

export class SimReplica implements Peer {
  graph: Graph | undefined
  private folder: string | undefined
  /** Restarts so far. */
  restarts = 0

  private constructor (
    readonly id: number,
    readonly role: Role,
    readonly persistent: boolean,
    readonly identity: KeyPair
  ) {}

  static async create (id: number, role: Role, persistent: boolean, identity: KeyPair, setup: { writers: string[] } | { address: string, fetch: BlockFetcher }): Promise<SimReplica> {
    const replica = new SimReplica(id, role, persistent, identity)
    replica.folder = persistent ? mkdtempSync(join(ROOT, 'rhizome-sim-')) : undefined
    replica.graph = 'writers' in setup
      ? await openGraph({ path: replica.folder, identity, create: { writers: setup.writers } })
      : await openGraph({ path: replica.folder, identity, address: setup.address, fetch: setup.fetch })
    return replica
  }

  get up (): boolean {
    return this.graph !== undefined
  }

  blocks (): BlockFetcher | undefined {
    return this.graph?.blocks
  }

  /** The graph, which must be up. */
  get live (): Graph {
    if (this.graph === undefined) throw new Error(`replica ${this.id} is down`)
    return this.graph
  }

  async clock (): Promise<Clock> {
    const store = this.live.store
    return {
      nodes: (await store.log({ limit: 1_000_000 })).map(e => e.cid.toString()).sort(),
      heads: (await store.heads()).map(h => h.cid.toString()).sort()
    }
  }

  /** Its quads as N-Quads lines, sorted. Reading them commits the store's open group. */
  async quads (): Promise<string[]> {
    const quads: string[] = []
    for await (const q of this.live.match()) quads.push(nquad(q))
    return quads.sort()
  }

  async has (cid: CID): Promise<boolean> {
    return await this.live.store.node(cid) !== undefined
  }

  /** Copies the folder as a kill leaves it and drops the live store. */
  async crash (): Promise<void> {
    const graph = this.live
    const from = this.folder!
    const to = mkdtempSync(join(ROOT, 'rhizome-sim-'))
    // Synchronous: no timer of the store (its group commit) runs while the copy is made.
    for (const file of KEPT) if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file))
    this.graph = undefined
    this.folder = to
    // The abandoned store is closed only to free it; what that writes goes to the old folder.
    await graph.close()
    rmSync(from, { recursive: true, force: true })
  }

  async restart (): Promise<void> {
    this.graph = await openGraph({ path: this.folder, identity: this.identity, create: false })
    this.restarts++
  }

  async close (): Promise<void> {
    await this.graph?.close()
    this.graph = undefined
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true })
  }
}

export function nquad (q: RDF.Quad): string {
  const term = (t: RDF.Term): string => t.termType === 'Literal' ? JSON.stringify(t.value) : `<${t.value}>`
  const graph = q.graph.termType === 'DefaultGraph' ? '' : ` ${term(q.graph)}`
  return `${term(q.subject)} ${term(q.predicate)} ${term(q.object)}${graph} .`
}
