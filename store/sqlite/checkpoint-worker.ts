/**
 * The checkpointer's thread (see checkpointer.ts): its own connection to the store,
 * which only ever runs passive WAL checkpoints. It sleeps on the shared state word
 * until the writer asks (REQUESTED), checkpoints, and goes back to IDLE; CLOSING ends it.
 * Shared memory rather than messages, because a writer committing in a tight loop
 * does not turn its event loop to read any.
 */
import { workerData } from 'node:worker_threads'
import { loadSqlite } from './load.js'
import { CLOSING, DONE, IDLE, REQUESTED, STATE } from './checkpoint-state.js'

const { file, shared } = workerData as { file: string, shared: SharedArrayBuffer }
const state = new Int32Array(shared)
const { DatabaseSync } = await loadSqlite()
const db = new DatabaseSync(file)
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)')
for (;;) {
  Atomics.wait(state, STATE, IDLE)
  if (Atomics.load(state, STATE) === CLOSING) break
  try {
    checkpoint.get()
  } catch {
    // Busy or failed: the writer's own auto-checkpoint remains the backstop.
  }
  Atomics.add(state, DONE, 1)
  Atomics.compareExchange(state, STATE, REQUESTED, IDLE)
}
db.close()
