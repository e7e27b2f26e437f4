/**
 * Signature checks on worker threads. An Ed25519 verification costs 100-250 µs on this
 * project's machines, more than decoding or storing a small commit, so the checks that
 * catch-up cannot skip (merkle-clock's authenticate: a node's own signature is checked
 * only when no same-author descendant in the window endorses it, or for every node with
 * `endorse: false`) run on workers while the main thread reads the stream and applies.
 * The main thread has already run every other check (verifyNodeContent) on the node; a
 * worker runs the core's `signatureHolds` on the same bytes and answers yes or no.
 *
 * One pool per replicator, started with it, so the workers' start-up (loading the core)
 * is paid once and not inside a catch-up. The pool needs the compiled worker
 * (dist/replication/verify-worker.js): run from the TypeScript sources (tests), or with
 * `workers: 0`, checks run inline.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { signatureHolds, type Block, type ClockNode } from '../merkle-clock/index.js'

export interface SignatureChecker {
  /** Whether each node's own signature holds, one verdict per node, in order. */
  check: (nodes: ReadonlyArray<Block<ClockNode>>) => Promise<boolean[]>
}

/** Checks on the calling thread. */
export const inlineChecker: SignatureChecker = {
  check: async nodes => nodes.map(node => signatureHolds(node.value))
}

interface Job { resolve: (ok: boolean) => void, reject: (e: unknown) => void }

const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url))
/** Nodes sent to one worker in one message. */
const MESSAGE_NODES = 32

/** The default number of verification workers: one per core but the main thread's, at least one, at most four. */
export function defaultWorkers (): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1))
}

export class VerifierPool {
  private readonly threads: Worker[] = []
  private readonly waiting = new Map<number, Job>()
  private nextId = 0
  private turn = 0
  private queue: Array<{ id: number, bytes: Uint8Array }> = []
  private scheduled = false

  /** Starts `workers` threads (none when the compiled worker is absent: checks are then inline). */
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

  /** A checker that runs on the pool's workers (inline when it has none). */
  checker (): SignatureChecker {
    if (this.threads.length === 0) return inlineChecker
    return { check: async nodes => await Promise.all(nodes.map(async node => await this.checkOne(node.bytes))) }
  }

  private async checkOne (bytes: Uint8Array): Promise<boolean> {
    return await new Promise<boolean>((resolve, reject) => {
      const id = this.nextId++
      this.waiting.set(id, { resolve, reject })
      this.queue.push({ id, bytes })
      if (this.queue.length >= MESSAGE_NODES) this.flush()
      else if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.flush()) }
    })
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
      job.resolve(ok)
    }
  }

  async close (): Promise<void> {
    await Promise.all(this.threads.map(async t => await t.terminate()))
  }
}
