/**
 * Heads and node records in the SQLite store.
 *
 * HEADS: the `heads` column of the node row with the highest seq holds the current heads,
 * as dag-cbor [[seq, height, CID], …]; every other row's is NULL. Heads change only when
 * nodes are added, and every transaction that adds nodes ends by moving the list to its
 * last one (`store`), on the page that its insert changed already.
 * The list is read once and kept (`current`): every commit needs it, as its parents and
 * to replace them. It must be read before a transaction adds its first node (the newest
 * row is then that node's, which holds no list yet); a rollback forgets it (`reset`).
 */
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { compareBytes } from '../../quad-model/index.js'
import type { NodeRecord } from '../backend.js'
import { CorruptStoreError } from '../errors.js'
import type { Statements } from './statements.js'

export function encodeHeads (heads: readonly NodeRecord[]): Uint8Array {
  return dagCbor.encode(heads.map(h => [h.seq, h.height, h.cid]))
}

function decodeHeads (bytes: Uint8Array): NodeRecord[] {
  const list = dagCbor.decode(bytes) as Array<[number, number, CID]>
  return list.map(([seq, height, cid]) => ({ seq, height, cid }))
}

export class Heads {
  /** The heads, sorted by CID bytes, once read. */
  private cache: readonly NodeRecord[] | undefined
  /** The node row holding the stored list. */
  private row: number | undefined
  /** The last node added by the transaction in progress: where its heads go. */
  private pending: number | undefined

  constructor (private readonly stmt: Statements, private readonly path: string) {}

  /** The heads, sorted by CID bytes. */
  current (): readonly NodeRecord[] {
    if (this.cache === undefined) {
      const row = this.stmt.heads.get() as { seq: number, heads: Uint8Array | null } | undefined
      if (row !== undefined && row.heads === null) throw new CorruptStoreError(this.path, 'the newest node does not hold the heads')
      this.row = row === undefined ? undefined : Number(row.seq)
      this.cache = row === undefined ? [] : decodeHeads(row.heads!).sort((a, b) => compareBytes(a.cid.bytes, b.cid.bytes))
    }
    return this.cache
  }

  /** New heads, the newest node among them; written to disk by `store`. */
  set (heads: readonly NodeRecord[]): void {
    this.cache = heads
    let newest = heads[0]?.seq
    for (const h of heads) if (h.seq > newest) newest = h.seq
    this.pending = newest
  }

  /** Ends a transaction that added nodes: the heads move to the row of the last one. */
  store (): void {
    const seq = this.pending
    if (seq === undefined) return
    this.pending = undefined
    this.stmt.setHeads.run(encodeHeads(this.current()), seq)
    if (this.row !== undefined && this.row !== seq) this.stmt.setHeads.run(null, this.row)
    this.row = seq
  }

  /** What a savepoint keeps, to put back when a write under it rolls back. */
  save (): { cache: readonly NodeRecord[] | undefined, pending: number | undefined } {
    return { cache: this.cache, pending: this.pending }
  }

  restore (saved: { cache: readonly NodeRecord[] | undefined, pending: number | undefined }): void {
    this.cache = saved.cache
    this.pending = saved.pending
  }

  /** After a rollback of the whole transaction: read again from the file. */
  reset (): void {
    this.cache = undefined
    this.row = undefined
    this.pending = undefined
  }
}

/** Reads of node records. */
export function nodeOf (stmt: Statements, cid: CID): NodeRecord | undefined {
  const row = stmt.node.get(cid.bytes) as { seq: number, height: number } | undefined
  return row === undefined ? undefined : { cid, height: Number(row.height), seq: Number(row.seq) }
}

export function nodeLog (stmt: Statements, options: { limit: number, before?: number }): NodeRecord[] {
  const rows = stmt.log.all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as Array<{ cid: Uint8Array, height: number, seq: number }>
  return rows.map(r => ({ cid: CID.decode(r.cid), height: Number(r.height), seq: Number(r.seq) }))
}
