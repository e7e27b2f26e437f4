/**
 * The checkpointer's thread (see checkpointer.ts): its own connection to the store,
 * which only ever runs passive WAL checkpoints. It sleeps on the shared state word
 * until the writer asks (REQUESTED), checkpoints, and goes back to IDLE; CLOSING ends it.
 * Shared memory rather than messages, because a writer committing in a tight loop
 * does not turn its event loop to read any. The CONN word tells the writer when this
 * connection is closed, which is all its close waits for (not the thread's exit).
 */
import { workerData } from 'node:worker_threads'
import { loadSqlite } from './load.js'
import { CLOSING, CONN, CONN_CLOSED, CONN_NONE, CONN_OPEN, DONE, IDLE, REQUESTED, STATE } from './checkpoint-state.js'

const { file, shared } = workerData as { file: string, shared: SharedArrayBuffer }
const state = new Int32Array(shared)
const { DatabaseSync } = await loadSqlite()
// A store closed while this thread was starting: never open a connection to it.
if (Atomics.compareExchange(state, CONN, CONN_NONE, CONN_OPEN) === CONN_NONE) {
  try {
    const db = new DatabaseSync(file)
    try {
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
    } finally {
      db.close()
    }
  } finally {
    Atomics.store(state, CONN, CONN_CLOSED)
    Atomics.notify(state, CONN)
  }
}
