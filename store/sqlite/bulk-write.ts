/**
 * A bulk write (Backend.beginBulk): one transaction that takes a big import's quads in
 * batches while they are parsed, and its commit at the end. Only additions, by a node
 * made after them, so no tombstone can void any: the quads go straight to the tags
 * (the OR-Set's addition, QUAD_ROWS to a statement), and the node and heads come last.
 * osgp is dropped once the write is big enough and built again when the input ends
 * (`seal`), while the worker sorts and encodes the delta.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { BulkWrite } from '../backend.js'
import { StoreClosedError } from '../errors.js'
import { nextHeads } from '../or-set.js'
import type { Checkpointer } from './checkpointer.js'
import type { Heads } from './heads.js'
import type { QuadIndexes } from './indexes.js'
import type { SqliteOrSetIndex } from './or-set-index.js'
import type { Statements } from './statements.js'

export interface BulkContext {
  readonly db: DatabaseSync
  readonly stmt: Statements
  readonly index: SqliteOrSetIndex
  readonly indexes: QuadIndexes
  readonly heads: Heads
  readonly checkpointer: Checkpointer | undefined
  /** The whole transaction rolled back: forget what was cached from it. */
  rolledBack: () => void
  /** The write committed. */
  written: () => void
}

/** Starts a bulk write; the caller has flushed any open group and serializes writes. */
export function beginBulk (ctx: BulkContext): BulkWrite {
  const { db, stmt: s } = ctx
  db.exec('BEGIN IMMEDIATE')
  const seq = Number((s.maxSeq.get() as { n: number }).n) + 1
  const existing = Number((s.count.get() as { n: number }).n)
  const ids: number[] = []
  let added = 0
  let open = true
  const end = (): void => {
    if (!open) return
    open = false
    try { db.exec('ROLLBACK') } catch {} // SQLite may have rolled back already
    ctx.rolledBack()
  }
  return {
    add: (terms, quads) => {
      if (!open) throw new StoreClosedError()
      for (const id of ctx.index.termIds(terms)) ids.push(id)
      ctx.index.addTags(quads, ids, seq)
      added += quads.length / 4
      ctx.indexes.bigWrite(added, existing)
    },
    seal: () => { if (open) ctx.indexes.restoreOsgp() },
    finish: async commit => {
      if (!open) throw new StoreClosedError()
      try {
        const cid = commit.node.cid
        ctx.indexes.restoreOsgp()
        const heads = ctx.heads.current() // read before the node is added
        s.addNodeAt.run(seq, cid.bytes, commit.node.value.height, commit.node.bytes)
        s.dropBlock.run(cid.bytes)
        for (const p of commit.payloads) s.putBlock.run(p.cid.bytes, p.bytes)
        ctx.heads.set(nextHeads(heads, { cid, height: commit.node.value.height, seq }, commit.node.value.parents))
        ctx.heads.store()
        db.exec('COMMIT')
        open = false
        ctx.written()
        // A bulk write fills the WAL as a great many commits would.
        ctx.checkpointer?.committed(Number.MAX_SAFE_INTEGER)
      } catch (err) {
        end()
        throw err
      }
    },
    abort: end
  }
}
