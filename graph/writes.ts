/**
 * The write path of a Graph: every write becomes one signed commit whose parents are
 * the heads at the time it was made.
 *
 * Writes run one at a time, in call order (`exclusive`; merges and bulk imports take
 * the same turn). Writes that queue up while one is being stored are signed as a chain
 * of commits (each the parent of the next) and stored by one `apply`, so concurrent
 * writers share its cost; each is still its own signed commit, and none is reported
 * done before that `apply` is durable. (The SQLite backend also groups consecutive
 * small applies into one transaction; see store/sqlite/group-commit.ts.) A write with
 * deletes starts a new batch, because the tags it removes (the adds of those quads
 * this replica has observed: the OR-Set's observed remove) must be read from the store
 * after the writes before it are applied.
 */
import type { CID } from 'multiformats/cid'
import { countChanges, throwIfAborted, type DeltaBuilder, type KeyQuad, type Removal } from '../quad-model/index.js'
import { createCommit, type Commit, type Signer } from '../merkle-clock/index.js'
import type { Backend } from '../store/index.js'
import type { CommitResult } from './types.js'

interface PendingWrite {
  adds: DeltaBuilder
  deletes: KeyQuad[]
  signal?: AbortSignal
  resolve: (result: CommitResult) => void
  reject: (err: unknown) => void
}

/** Most writes stored in one group commit. */
const GROUP_COMMIT_MAX = 256

/** Called after commits this replica made were stored. */
export type OnCommitted = (commits: Commit[], added: number, removed: number) => void

export class WritePath {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly pending: PendingWrite[] = []

  constructor (
    private readonly backend: Backend,
    private readonly db: CID,
    private readonly signer: Signer,
    private readonly onCommitted: OnCommitted
  ) {}

  /** Runs `fn` when every write, merge and import before it has ended. */
  exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  /** Settles when everything queued so far has ended. */
  get idle (): Promise<unknown> { return this.queue }

  /** Commits `adds` and the observed removals of `deletes` as one signed commit. */
  async commit (adds: DeltaBuilder, deletes: KeyQuad[], signal?: AbortSignal): Promise<CommitResult> {
    throwIfAborted(signal)
    return await new Promise<CommitResult>((resolve, reject) => {
      this.pending.push({ adds, deletes, signal, resolve, reject })
      if (this.pending.length === 1) void this.exclusive(async () => await this.drain())
    })
  }

  private async drain (): Promise<void> {
    while (this.pending.length > 0) {
      let size = 1
      while (size < this.pending.length && size < GROUP_COMMIT_MAX && this.pending[size].deletes.length === 0) size++
      const group = this.pending.splice(0, size)
      let parents: Array<{ cid: CID, height: number }> = await this.backend.heads()
      const commits: Commit[] = []
      const done: Array<{ write: PendingWrite, result: CommitResult }> = []
      for (const write of group) {
        try {
          throwIfAborted(write.signal)
          const removals = write.deletes.length === 0 ? [] : await this.observedRemovals(write.deletes)
          if (write.adds.additions === 0 && removals.length === 0) {
            write.resolve({ head: undefined, added: 0, removed: 0 })
            continue
          }
          for (const removal of removals) write.adds.remove(removal)
          const chunks = write.adds.build()
          const commit = createCommit({ db: this.db, parents, chunks, signer: this.signer })
          parents = [{ cid: commit.node.cid, height: commit.node.value.height }]
          commits.push(commit)
          const { added } = countChanges(chunks)
          const removed = new Set(removals.map(r => r.quad.join('\n'))).size
          done.push({ write, result: { head: commit.node.cid, added, removed } })
        } catch (err) {
          write.reject(err)
        }
      }
      if (commits.length === 0) continue
      try {
        await this.backend.apply(commits)
      } catch (err) {
        for (const { write } of done) write.reject(err)
        continue
      }
      for (const { write, result } of done) write.resolve(result)
      this.onCommitted(commits, done.reduce((n, d) => n + d.result.added, 0), done.reduce((n, d) => n + d.result.removed, 0))
    }
  }

  /** Each quad's tags as this replica has observed them: what a remove removes. */
  private async observedRemovals (deletes: KeyQuad[]): Promise<Removal[]> {
    const tags = await this.backend.observedTags(deletes)
    return deletes.flatMap((quad, i) => tags[i].map(tag => ({ quad, tag })))
  }
}
