/**
 * Signature checks on worker threads. An Ed25519 verification costs 100-250 µs on this
 * project's machines, more than decoding or storing a small commit, so catch-up spreads
 * the core's `verifyNode` over workers while the main thread reads the stream and
 * applies. A worker runs the very same check; on a failure the main thread runs it again
 * to raise the core's own error (a rare path, never a trusted shortcut).
 *
 * One pool per replicator, started with it, so the workers' start-up (loading the core)
 * is paid once and not inside a catch-up; each database is registered with its manifest.
 * The pool needs the compiled worker (dist/replication/verify-worker.js): run from the
 * TypeScript sources (tests), or with `workers: 0`, verification runs inline.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import { verifyNode, type Block, type ClockNode, type WriterSet } from '../merkle-clock/index.js'

export interface NodeVerifier {
  /** Resolves to the verified node, or rejects with the core's error. */
  verify: (cid: CID, bytes: Uint8Array) => Promise<Block<ClockNode>>
}

/** Verifies on the calling thread. */
export function inlineVerifier (db: CID, writers: WriterSet): NodeVerifier {
  return { verify: async (cid, bytes) => verifyNode(cid, bytes, db, writers) }
}

interface Job { cid: CID, bytes: Uint8Array, db: CID, writers: WriterSet, resolve: (b: Block<ClockNode>) => void, reject: (e: unknown) => void }

const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url))

/** The default number of verification workers: one per core but the main thread's, at least one, at most four. */
export function defaultWorkers (): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1))
}

export class VerifierPool {
  private readonly threads: Worker[] = []
  private readonly waiting = new Map<number, Job>()
  private readonly registered = new Set<string>()
  private nextId = 0
  private turn = 0
  private queue: Array<{ id: number, db: string, cid: Uint8Array, bytes: Uint8Array }> = []
  private scheduled = false

  /** Starts `workers` threads (none when the compiled worker is absent: verification is then inline). */
  constructor (workers = defaultWorkers()) {
    if (workers <= 0 || !existsSync(workerFile)) return
    for (let i = 0; i < workers; i++) {
      const thread = new Worker(workerFile)
      thread.unref()
      thread.on('message', (results: Array<{ id: number, ok: boolean }>) => this.settle(results))
      thread.on('error', err => {
        for (const job of this.waiting.values()) job.reject(err)
        this.waiting.clear()
      })
      this.threads.push(thread)
    }
  }

  /** A verifier for one database (its address and manifest bytes). */
  forDatabase (db: CID, manifest: Uint8Array, writers: WriterSet): NodeVerifier {
    if (this.threads.length === 0) return inlineVerifier(db, writers)
    const key = db.toString()
    if (!this.registered.has(key)) {
      this.registered.add(key)
      for (const thread of this.threads) thread.postMessage({ db: key, dbBytes: db.bytes, manifest })
    }
    return {
      verify: async (cid, bytes) => await new Promise<Block<ClockNode>>((resolve, reject) => {
        const id = this.nextId++
        this.waiting.set(id, { cid, bytes, db, writers, resolve, reject })
        this.queue.push({ id, db: key, cid: cid.bytes, bytes })
        if (this.queue.length >= 32) this.flush()
        else if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()) }
      })
    }
  }

  private flush (): void {
    this.scheduled = false
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    this.threads[this.turn++ % this.threads.length].postMessage(batch)
  }

  private settle (results: Array<{ id: number, ok: boolean }>): void {
    for (const { id, ok } of results) {
      const job = this.waiting.get(id)
      if (job === undefined) continue
      this.waiting.delete(id)
      try {
        if (!ok) verifyNode(job.cid, job.bytes, job.db, job.writers) // raises the core's error
        job.resolve({ cid: job.cid, bytes: job.bytes, value: dagCbor.decode(job.bytes) })
      } catch (err) {
        job.reject(err)
      }
    }
  }

  async close (): Promise<void> {
    await Promise.all(this.threads.map(async t => await t.terminate()))
  }
}
