/** A verification worker (see verify-pool.ts): runs the core's verifyNode on batches of nodes. */
import { parentPort, workerData } from 'node:worker_threads'
import { CID } from 'multiformats/cid'
import { decodeManifest, verifyNode, WriterSet } from '../merkle-clock/index.js'

const { db: dbBytes, manifest } = workerData as { db: Uint8Array, manifest: Uint8Array }
const db = CID.decode(dbBytes)
const writers = new WriterSet(decodeManifest(db, manifest).value)

parentPort?.on('message', (batch: Array<{ id: number, cid: Uint8Array, bytes: Uint8Array }>) => {
  const results = batch.map(({ id, cid, bytes }) => {
    try {
      verifyNode(CID.decode(cid), bytes, db, writers)
      return { id, ok: true }
    } catch {
      return { id, ok: false }
    }
  })
  parentPort?.postMessage(results)
})
