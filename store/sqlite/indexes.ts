/**
 * Which orderings of the quads table exist, and their lifecycle: the graph-first
 * ones are made when the first quad in a named graph comes (schema.ts says why they
 * wait), and osgp is dropped during a big write and built again at its end.
 */
import type { DatabaseSync } from 'node:sqlite'
import type { IdPattern } from '../backend.js'
import { CORE_INDEXES, DEFAULT_GRAPH_ID, GRAPH_INDEXES, createSql } from './schema.js'
import type { Statements } from './statements.js'

// A write adding more quads than this, and more than the store holds, drops osgp and
// builds it again at the end (one sort), while posg is kept live. Measured here on LUBM(5)
// in file order (625k quads): inserting with both indexes live took 1.24 s; with both
// dropped, 0.39 s + 0.99 s to build them after; with posg live and osgp rebuilt, 0.73 s +
// 0.34 s. Inserts run while the import worker is still parsing, so the live part is
// mostly hidden; the build is not. osgp is the one whose live inserts land most randomly.
export const BULK_REBUILD_MIN = 50_000

export class QuadIndexes {
  /** Whether the graph-first indexes exist (some quad is, or was, in a named graph). */
  graphIndexes: boolean
  /** Whether osgp is dropped, to be built again at the end of a big write in progress. */
  private osgpDropped = false

  constructor (private readonly db: DatabaseSync, private readonly stmt: Statements) {
    this.graphIndexes = this.hasGraphIndexes()
  }

  private hasGraphIndexes (): boolean {
    return this.stmt.hasGraphIndexes.get() !== undefined
  }

  /** A quad in a named graph is coming: make sure the graph-first orderings exist. */
  needGraphIndexes (): void {
    if (this.graphIndexes) return
    this.graphIndexes = true
    this.db.exec(createSql(GRAPH_INDEXES))
  }

  /** A write of `added` quads into a store of `existing` is under way: drop osgp when that pays. */
  bigWrite (added: number, existing: number): void {
    if (this.osgpDropped || added < BULK_REBUILD_MIN || added <= existing) return
    this.db.exec('DROP INDEX IF EXISTS quads_osgp')
    this.osgpDropped = true
  }

  /** Builds osgp again if a big write dropped it. */
  restoreOsgp (): void {
    if (!this.osgpDropped) return
    this.db.exec(createSql(CORE_INDEXES))
    this.osgpDropped = false
  }

  /** After a rollback: index changes were undone with it. */
  reset (): void {
    this.osgpDropped = false
    this.graphIndexes = this.hasGraphIndexes()
  }

  /**
   * The pattern to run, given which orderings exist: without named graphs, a bound
   * default graph is dropped and any other bound graph matches nothing (null).
   */
  normalize (pattern: IdPattern): IdPattern | null {
    const g = pattern[3]
    if (this.graphIndexes || g === undefined) return pattern
    return g === DEFAULT_GRAPH_ID ? [pattern[0], pattern[1], pattern[2], undefined] : null
  }
}
