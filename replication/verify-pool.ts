/**
 * Signature checks on worker threads. An Ed25519 verification costs a few hundred
 * microseconds here, far more than decoding or storing a small commit, so catch-up spreads
 * the core's `verifyNode` over workers while the main thread reads the stream and applies.
 * The worker runs the very same check; on a failure the main thread runs it again to raise
 * the core's own error (a rare path, never a trusted shortcut).
 *
 * The pool needs the compiled worker (dist/replication/verify-worker.js). Run from the
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
  close: () => Promise<void>
}

/** Verifies on the calling thread. */
export function inlineVerifier (db: CID, writers: WriterSet): NodeVerifier {
  return {
    verify: async (cid, bytes) => verifyNode(cid, bytes, db, writers),
    close: async () => {}
  }
}

interface Job { cid: CID, bytes: Uint8Array, resolve: (b: Block<ClockNode>) => void, reject: (e: unknown) => void }

const workerFile = fileURLToPath(new URL('./verify-worker.js', import.meta.url))

/** The default number of verification workers: one per core, at most four. */
export function defaultWorkers (): number {
  return Math.min(4, Math.max(1, availableParallelism()))
}

/**
 * Verifies on `workers` threads, jobs sent in small batches to each in turn. Falls back
 * to inline verification when the compiled worker is absent.
 */
export function workerVerifier (db: CID, manifestBytes: Uint8Array, writers: WriterSet, workers = defaultWorkers()): NodeVerifier {
  if (workers <= 0 || !existsSync(workerFile)) return inlineVerifier(db, writers)
  const threads = Array.from({ length: workers }, () => {
    const worker = new Worker(workerFile, { workerData: { db: db.bytes, manifest: manifestBytes } })
    worker.unref()
    return worker
  })
  const waiting = new Map<number, Job>()
  let nextId = 0
  let turn = 0
  let queue: Array<{ id: number, cid: Uint8Array, bytes: Uint8Array }> = []
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (queue.length === 0) return
    const batch = queue
    queue = []
    threads[turn++ % threads.length].postMessage(batch)
  }
  for (const thread of threads) {
    thread.on('message', (results: Array<{ id: number, ok: boolean }>) => {
      for (const { id, ok } of results) {
        const job = waiting.get(id)
        if (job === undefined) continue
        waiting.delete(id)
        try {
          if (!ok) verifyNode(job.cid, job.bytes, db, writers) // raises the core's error
          job.resolve({ cid: job.cid, bytes: job.bytes, value: dagCbor.decode(job.bytes) })
        } catch (err) {
          job.reject(err)
        }
      }
    })
    thread.on('error', err => {
      for (const job of waiting.values()) job.reject(err)
      waiting.clear()
    })
  }
  return {
    verify: async (cid, bytes) => await new Promise<Block<ClockNode>>((resolve, reject) => {
      const id = nextId++
      waiting.set(id, { cid, bytes, resolve, reject })
      queue.push({ id, cid: cid.bytes, bytes })
      if (queue.length >= 32) flush()
      else if (!scheduled) { scheduled = true; setImmediate(flush) }
    }),
    close: async () => {
      await Promise.all(threads.map(async t => await t.terminate()))
    }
  }
}
