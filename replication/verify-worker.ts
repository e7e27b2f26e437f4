/**
 * A verification worker (see verify-pool.ts): for each node of a batch, the bytes of a
 * node that passed every other check on the main thread, answers whether its own
 * signature holds (the core's `signatureHolds`).
 */
import { parentPort } from 'node:worker_threads'
import * as dagCbor from '@ipld/dag-cbor'
import { signatureHolds, type ClockNode } from '../merkle-clock/index.js'

parentPort?.on('message', (batch: Array<{ id: number, bytes: Uint8Array }>) => {
  const results = batch.map(({ id, bytes }) => {
    try {
      return { id, ok: signatureHolds(dagCbor.decode<ClockNode>(bytes)) }
    } catch {
      return { id, ok: false }
    }
  })
  parentPort?.postMessage(results)
})
