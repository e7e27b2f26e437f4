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
/** Most nodes one call checks inline rather than on a worker. */
const INLINE_NODES = 4

/** The default number of verification workers: one per core but the main thread's, at least one, at most four. */
export function defaultWorkers (): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1))
}

export class VerifierPool {
  private readonly threads: Worker[] = []
  private readonly waiting = new Map<number, Job>()
  private nextId = 0
  private turn = 0

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

  /**
   * A checker that runs on the pool's workers (inline when it has none). A call of at most
   * INLINE_NODES nodes (the tops of an endorsed batch, usually one) is checked inline: a few
   * hundred µs of the main thread's time, where a round trip to a worker kept the main
   * thread waiting several ms per batch on a loaded two-core machine.
   */
  checker (): SignatureChecker {
    if (this.threads.length === 0) return inlineChecker
    return { check: async nodes => nodes.length <= INLINE_NODES ? await inlineChecker.check(nodes) : await this.check(nodes) }
  }

  /**
   * Posts the nodes at once, MESSAGE_NODES to a message, round-robin over the workers. Not
   * deferred to a later turn of the event loop: a catch-up that reads buffered frames may
   * not yield to the loop until it needs the verdicts, and the workers should be busy by then.
   */
  private async check (nodes: ReadonlyArray<Block<ClockNode>>): Promise<boolean[]> {
    const verdicts: Array<Promise<boolean>> = []
    for (let i = 0; i < nodes.length; i += MESSAGE_NODES) {
      const message = nodes.slice(i, i + MESSAGE_NODES).map(node => {
        const id = this.nextId++
        verdicts.push(new Promise<boolean>((resolve, reject) => this.waiting.set(id, { resolve, reject })))
        return { id, bytes: node.bytes }
      })
      this.threads[this.turn++ % this.threads.length].postMessage(message)
    }
    return await Promise.all(verdicts)
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
