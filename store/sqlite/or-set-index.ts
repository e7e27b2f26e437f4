/**
 * The SQLite store as the OR-Set's index (../or-set.ts): tags, tombstones, nodes and
 * heads, written on the writer connection inside the caller's transaction.
 *
 * Tags: a quad's first tag lives in its quads row (`tag`), further ones in `tags`
 * (schema.ts), so adding a tag is an INSERT into quads that, when the quad is there
 * already, becomes a further tag instead; removing the first tag promotes another.
 * Additions go QUAD_ROWS to a statement: the hot path of every commit and bulk write.
 */
import type { CID } from 'multiformats/cid'
import type { Commit } from '../../merkle-clock/index.js'
import type { NodeRecord } from '../backend.js'
import type { OrSetIndex } from '../or-set.js'
import type { Heads } from './heads.js'
import { BULK_REBUILD_MIN, type QuadIndexes } from './indexes.js'
import { DEFAULT_GRAPH_ID } from './schema.js'
import { QUAD_ROWS, type Statements } from './statements.js'
import type { TermDictionary } from './terms.js'

export class SqliteOrSetIndex implements OrSetIndex {
  private tombstones: number
  private readonly quadArgs = new Array<number>(QUAD_ROWS * 5)

  constructor (
    private readonly stmt: Statements,
    private readonly terms: TermDictionary,
    private readonly indexes: QuadIndexes,
    private readonly headList: Heads
  ) {
    this.tombstones = Number((stmt.tombstoneCount.get() as { n: number }).n)
  }

  nodeSeqs (cids: readonly CID[]): Array<number | undefined> {
    return cids.map(cid => {
      const row = this.stmt.node.get(cid.bytes) as { seq: number } | undefined
      return row === undefined ? undefined : Number(row.seq)
    })
  }

  addNode (commit: Commit): number {
    const s = this.stmt
    const cid = commit.node.cid
    const seq = Number(s.addNode.run(cid.bytes, commit.node.value.height, commit.node.bytes).lastInsertRowid)
    s.dropBlock.run(cid.bytes)
    for (const p of commit.payloads) s.putBlock.run(p.cid.bytes, p.bytes)
    const additions = commit.chunks.reduce((n, c) => n + c.a.length / 4, 0)
    if (additions >= BULK_REBUILD_MIN) this.indexes.bigWrite(additions, Number((s.count.get() as { n: number }).n))
    return seq
  }

  termIds (keys: readonly string[]): number[] {
    return this.terms.idsOf(keys)
  }

  /**
   * Adds quads given as flat local indexes (four per quad) into `ids`, tagged by node
   * `seq`, QUAD_ROWS per statement. A statement that inserted fewer rows than it was
   * given met quads already there; only then are its rows looked at one by one, to tag
   * those another commit added (a repeat within this one adds no tag).
   */
  addTags (local: ArrayLike<number>, ids: readonly number[], seq: number): void {
    const count = local.length >> 2
    const args = this.quadArgs
    let i = 0
    for (; i + QUAD_ROWS <= count; i += QUAD_ROWS) {
      for (let k = 0, at = i * 4; k < QUAD_ROWS * 5; k += 5, at += 4) {
        const g = ids[local[at + 3]]
        if (g !== DEFAULT_GRAPH_ID) this.indexes.needGraphIndexes()
        args[k] = ids[local[at]]; args[k + 1] = ids[local[at + 1]]; args[k + 2] = ids[local[at + 2]]; args[k + 3] = g; args[k + 4] = seq
      }
      if (Number(this.stmt.addQuads.run(...args).changes) < QUAD_ROWS) {
        for (let k = 0; k < QUAD_ROWS * 5; k += 5) this.stmt.addOtherTag.run(args[k], args[k + 1], args[k + 2], args[k + 3], seq)
      }
    }
    for (let at = i * 4; at < count * 4; at += 4) this.addTag(ids[local[at]], ids[local[at + 1]], ids[local[at + 2]], ids[local[at + 3]], seq)
  }

  private addTag (q0: number, q1: number, q2: number, q3: number, seq: number): void {
    if (q3 !== DEFAULT_GRAPH_ID) this.indexes.needGraphIndexes()
    if (Number(this.stmt.addQuad.run(q0, q1, q2, q3, seq).changes) === 0) this.stmt.addOtherTag.run(q0, q1, q2, q3, seq)
  }

  removeTags (quads: readonly number[], seqs: readonly number[]): void {
    const s = this.stmt
    for (let i = 0, at = 0; i < seqs.length; i++, at += 4) {
      const q0 = quads[at]; const q1 = quads[at + 1]; const q2 = quads[at + 2]; const q3 = quads[at + 3]
      const tag = seqs[i]
      const first = s.firstTag.get(q0, q1, q2, q3) as { tag: number } | undefined
      if (first === undefined) continue
      if (Number(first.tag) !== tag) {
        s.dropTag.run(q0, q1, q2, q3, tag)
        continue
      }
      const other = s.otherTag.get(q0, q1, q2, q3) as { node: number } | undefined
      if (other === undefined) {
        s.dropQuad.run(q0, q1, q2, q3)
      } else {
        s.setFirstTag.run(other.node, q0, q1, q2, q3)
        s.dropTag.run(q0, q1, q2, q3, other.node)
      }
    }
  }

  hasTombstones (): boolean {
    return this.tombstones > 0
  }

  putTombstone (s: number, p: number, o: number, g: number, tag: CID): void {
    this.stmt.addTombstone.run(s, p, o, g, tag.bytes)
    this.tombstones++
  }

  hasTombstone (s: number, p: number, o: number, g: number, tag: CID): boolean {
    return this.stmt.tombstone.get(s, p, o, g, tag.bytes) !== undefined
  }

  heads (): readonly NodeRecord[] {
    return this.headList.current()
  }

  setHeads (heads: readonly NodeRecord[]): void {
    this.headList.set(heads)
  }

  /** The tombstone count a savepoint keeps, to put back when a write under it rolls back. */
  get tombstoneCount (): number {
    return this.tombstones
  }

  set tombstoneCount (n: number) {
    this.tombstones = n
  }
}
