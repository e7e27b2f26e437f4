/**
 * Group commit: small writes share one SQLite transaction, each made durable by one
 * append to the commit log (commit-log.ts says why that is cheaper), and the log's
 * replay when the store opens.
 *
 * A small write (LOG_MAX_*) is applied inside a transaction left open across many of
 * them (a group), under a savepoint of its own, and is durable once its record is in
 * the log. The group commits to SQLite after FLUSH_COMMITS writes, FLUSH_BYTES of log,
 * FLUSH_MS after its first write, or before anything needs the file current (a
 * reader's snapshot, a bulk write, close): `flush`. Then the log is emptied.
 * If SQLite loses the group (a full disk, an I/O error), every write reported done
 * is still in the log: the store refuses calls (`failure`) until reopened, and
 * opening replays the log.
 */
import type { DatabaseSync } from 'node:sqlite'
import * as dagCbor from '@ipld/dag-cbor'
import type { CID } from 'multiformats/cid'
import type { DeltaChunk } from '../../quad-model/index.js'
import { cidOf, commitOf, type ClockNode, type Commit } from '../../merkle-clock/index.js'
import { CorruptStoreError, StoreWriteError } from '../errors.js'
import type { Checkpointer } from './checkpointer.js'
import { COMMIT_LOG_FILE, type CommitLog, type LoggedCommit } from './commit-log.js'

// A write goes through the commit log when it is this small. A bigger one (a merge's
// batch, an import) commits a transaction of its own: it changes many pages anyway,
// and the log would write its blocks twice.
const LOG_MAX_COMMITS = 256
const LOG_MAX_BYTES = 1 << 20
const LOG_MAX_QUADS = 16_384
// The open group commits to SQLite after this many commits, this much log, or this long
// after its first write (a timer: when the event loop is free). Measured here, 4,000
// single-quad commits in a fresh process: groups of 16 gave 4,700–5,500 commits/s, 64
// gave 4,900–6,300, 256 and 1,024 5,600–6,400, 4,096 no more (one transaction each:
// ~3,700/s).
const FLUSH_COMMITS = 1024
const FLUSH_BYTES = 8 << 20
const FLUSH_MS = 50

/** Whether a write is small enough for the commit log (LOG_MAX_*). */
export function isSmall (commits: readonly Commit[]): boolean {
  if (commits.length > LOG_MAX_COMMITS) return false
  let bytes = 0
  let quads = 0
  for (const commit of commits) {
    bytes += commit.node.bytes.length
    for (const p of commit.payloads) bytes += p.bytes.length
    for (const chunk of commit.chunks) quads += chunk.a.length / 4 + chunk.r.length / 5
  }
  return bytes <= LOG_MAX_BYTES && quads <= LOG_MAX_QUADS
}

/** What the group needs of the store it commits for. */
export interface GroupedStore {
  readonly db: DatabaseSync
  readonly path: string
  /** Writes that end a transaction (the heads' row). */
  beforeCommit: () => void
  /** The in-memory state a savepoint's rollback must put back, and putting it back. */
  save: () => () => void
  /** The whole transaction rolled back: forget what was cached from it. */
  rolledBack: () => void
}

export class GroupCommit {
  /** Whether a group's transaction is open on the writer connection. */
  private open = false
  /** Commits applied in the open group. */
  private grouped = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  /** A group that failed to commit: the store must be reopened (which replays the log). */
  failure: Error | undefined

  constructor (
    private readonly store: GroupedStore,
    readonly commitLog: CommitLog,
    private readonly checkpointer: Checkpointer | undefined
  ) {}

  /**
   * A small write: `write` applies it (returning the commits not applied before) in the
   * open group's transaction, opened if need be, under a savepoint. A failure rolls back
   * to the savepoint, leaving the group as it was.
   */
  applyLogged (write: () => readonly Commit[]): void {
    const { db } = this.store
    const restore = this.store.save()
    const opened = !this.open
    if (opened) {
      db.exec('BEGIN IMMEDIATE')
      this.open = true
    }
    db.exec('SAVEPOINT write')
    let applied: readonly Commit[]
    try {
      applied = write()
      if (applied.length > 0) this.commitLog.append(applied.map(c => [c.node.bytes, ...c.payloads.map(p => p.bytes)]))
      db.exec('RELEASE write')
    } catch (err) {
      try {
        db.exec('ROLLBACK TO write')
        db.exec('RELEASE write')
      } catch {
        // SQLite rolled the whole transaction back itself (it may, on a full disk or an
        // I/O error): the group's earlier writes are now in the log only, which reopening
        // applies. Until then the store refuses calls, so nothing reads or truncates past them.
        this.open = false
        this.store.rolledBack()
        if (opened) throw err
        this.failure = err as Error
        throw new StoreWriteError(this.store.path, this.failure)
      }
      restore()
      if (opened) {
        db.exec('ROLLBACK')
        this.open = false
      }
      throw err
    }
    this.grouped += applied.length
    if (this.grouped >= FLUSH_COMMITS || this.commitLog.bytes >= FLUSH_BYTES) {
      this.flush()
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        try { this.flush() } catch {} // kept in `failure`, reported by the next call
      }, FLUSH_MS)
      this.timer.unref()
    }
  }

  /**
   * Commits the open group to SQLite and empties the commit log. If the commit fails
   * (a full disk), the group is rolled back and the store refuses further calls: every
   * write reported done is still in the log, which reopening applies.
   */
  flush (): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (!this.open) return
    const { db } = this.store
    try {
      this.store.beforeCommit()
      db.exec('COMMIT')
    } catch (err) {
      try { db.exec('ROLLBACK') } catch {}
      this.open = false
      this.store.rolledBack()
      this.failure = err as Error
      throw new StoreWriteError(this.store.path, this.failure)
    }
    this.open = false
    const commits = this.grouped
    this.grouped = 0
    this.commitLog.reset()
    this.checkpointer?.committed(commits)
  }
}

/**
 * The commit log's records beyond what the SQLite file holds: the writes reported
 * done since the last group committed, as commits. `apply` applies one record's
 * commits and returns false (stopping the replay) at one whose parents are missing
 * (earlier records lost to a power cut); nodes already in the file (a crash between
 * the group's commit and the log's truncation) it skips as any applied node. Reading
 * stops at a record cut short or damaged too: none of those was reported done in a
 * state that the file and the log both kept.
 */
export function replayLog (commitLog: CommitLog, path: string, apply: (commits: Commit[]) => boolean): void {
  for (const record of commitLog.read()) {
    if (!apply(record.map(blocks => loggedCommit(blocks, path)))) break
  }
}

/** A commit from its logged blocks (their bytes checked by the record's checksum). */
function loggedCommit (blocks: LoggedCommit, path: string): Commit {
  const bad = (reason: string): never => { throw new CorruptStoreError(path, `${COMMIT_LOG_FILE}: ${reason}`) }
  let node: ClockNode
  let payloads: Array<{ cid: CID, bytes: Uint8Array, value: DeltaChunk }>
  try {
    node = dagCbor.decode(blocks[0])
    payloads = blocks.slice(1).map(bytes => ({ cid: cidOf(bytes), bytes, value: dagCbor.decode<DeltaChunk>(bytes) }))
  } catch (err) {
    return bad(`a logged block does not decode: ${(err as Error).message}`)
  }
  const listed = node.payload ?? []
  if (listed.length !== payloads.length || listed.some((cid, i) => !cid.equals(payloads[i].cid))) bad('a logged commit\'s payload blocks do not match its node')
  return commitOf({ cid: cidOf(blocks[0]), bytes: blocks[0], value: node }, payloads)
}
