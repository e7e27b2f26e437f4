/**
 * WAL checkpoints off the writer's thread.
 *
 * A checkpoint copies the WAL's pages back into the database file and, with
 * synchronous=NORMAL, syncs both files to disk: tens of milliseconds, which the
 * writer would otherwise pay inside whichever commit crossed the auto-checkpoint
 * threshold (measured: about 90 ms every ~1,900 single-quad commits, a quarter of
 * their cost). Here a worker thread with its own connection runs passive checkpoints
 * while the writer goes on committing; checkpoints never block writers in WAL mode,
 * and durability is unchanged (a commit is in the WAL before it returns either way).
 * The writer keeps its own auto-checkpoint as a backstop, which then finds little
 * left to copy.
 *
 * Started on the first write that follows a good number of commits (a store only read,
 * or barely written, never starts a thread), and only from compiled code (the worker
 * is a .js file beside this one); without it, the writer checkpoints as before.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CLOSING, CONN, CONN_CLOSED, CONN_NONE, CONN_OPEN, DONE, IDLE, REQUESTED, STATE, WORDS } from './checkpoint-state.js'

const workerFile = fileURLToPath(new URL('./checkpoint-worker.js', import.meta.url))
let available: boolean | undefined

/** Commits (or a bulk write) after which a checkpoint is worth asking for. */
const COMMITS_PER_CHECKPOINT = 256
/** At most one checkpoint per this many ms. */
const MIN_INTERVAL_MS = 25

export class Checkpointer {
  private worker: Worker | undefined
  private exited: Promise<void> | undefined
  private readonly state = new Int32Array(new SharedArrayBuffer(WORDS * 4))
  private closed = false
  private writes = 0
  private last = 0

  constructor (private readonly file: string) {}

  /** Whether the compiled worker is there (looked up once per process). */
  static available (): boolean {
    available ??= existsSync(workerFile)
    return available
  }

  /** Checkpoints done by the thread so far. */
  get done (): number {
    return Atomics.load(this.state, DONE)
  }

  /** A transaction of `commits` commits (a bulk write counts as many) has committed. */
  committed (commits: number): void {
    if (this.closed) return
    this.writes += commits
    if (this.writes < COMMITS_PER_CHECKPOINT || Atomics.load(this.state, STATE) !== IDLE) return
    const now = performance.now()
    if (now - this.last < MIN_INTERVAL_MS) return
    this.writes = 0
    this.last = now
    this.start()
    Atomics.store(this.state, STATE, REQUESTED)
    Atomics.notify(this.state, STATE)
  }

  private start (): void {
    if (this.worker !== undefined) return
    const worker = new Worker(workerFile, { workerData: { file: this.file, shared: this.state.buffer } })
    worker.unref()
    // Watched from the start: a thread that fails early has exited before close asks.
    this.exited = new Promise<void>(resolve => worker.once('exit', () => resolve()))
    // A failed checkpointer leaves the writer's own checkpoints to do the work.
    worker.on('error', () => { this.closed = true })
    this.worker = worker
  }

  /**
   * Stops the thread; resolves once its connection is closed (or will never open), so
   * the writer's connection closes last. It does not wait for the thread to exit:
   * tearing a thread down took 60–80 ms here, most of a small session's close(), and
   * a thread still starting up when asked to stop takes as long again to boot first.
   */
  async close (): Promise<void> {
    this.closed = true
    const worker = this.worker
    if (worker === undefined) return
    this.worker = undefined
    Atomics.store(this.state, STATE, CLOSING)
    Atomics.notify(this.state, STATE)
    // Not opened yet: claim the word, and the thread will never open its connection.
    if (Atomics.compareExchange(this.state, CONN, CONN_NONE, CONN_CLOSED) === CONN_NONE) return
    const wait = Atomics.waitAsync(this.state, CONN, CONN_OPEN)
    if (!wait.async) return
    worker.ref() // an unreferenced thread would not keep the process waiting for its connection to close
    try {
      // A thread that dies without saying so (terminated) has closed its connection with it.
      await Promise.race([wait.value, this.exited])
    } finally {
      worker.unref()
    }
  }
}
