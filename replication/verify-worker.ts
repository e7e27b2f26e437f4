/**
 * A verification worker (see verify-pool.ts): learns databases from { db, dbBytes,
 * manifest } messages, then runs the core's verifyNode on batches of nodes.
 */
import { parentPort } from 'node:worker_threads'
import { CID } from 'multiformats/cid'
import { decodeManifest, verifyNode, WriterSet } from '../merkle-clock/index.js'

const databases = new Map<string, { db: CID, writers: WriterSet }>()

type Message =
  | { db: string, dbBytes: Uint8Array, manifest: Uint8Array }
  | Array<{ id: number, db: string, cid: Uint8Array, bytes: Uint8Array }>

parentPort?.on('message', (message: Message) => {
  if (!Array.isArray(message)) {
    const db = CID.decode(message.dbBytes)
    databases.set(message.db, { db, writers: new WriterSet(decodeManifest(db, message.manifest).value) })
    return
  }
  const results = message.map(({ id, db, cid, bytes }) => {
    const known = databases.get(db)
    if (known === undefined) return { id, ok: false }
    try {
      verifyNode(CID.decode(cid), bytes, known.db, known.writers)
      return { id, ok: true }
    } catch {
      return { id, ok: false }
    }
  })
  parentPort?.postMessage(results)
})
