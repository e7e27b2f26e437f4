/**
 * The term dictionary: canonical term strings to the ids the quads table holds, with
 * bounded caches both ways (the writer's ids, the readers' strings). Cached ids are
 * forgotten on a rollback, which may have undone the terms they name.
 */
import type { StatementSync } from 'node:sqlite'
import { CorruptStoreError } from '../errors.js'
import type { Statements } from './statements.js'

// Cache bounds: beyond them a cache starts again empty (a cold cache costs one
// statement per 8,192 terms, below).
const ID_CACHE = 500_000
const KEY_CACHE = 200_000

export class TermDictionary {
  private readonly ids = new Map<string, number>()
  private readonly keys = new Map<number, string>()

  constructor (private readonly stmt: Statements, private readonly path: string) {}

  /** The id of a term already in the dictionary, without adding it. */
  known (key: string): number | undefined {
    const id = this.ids.get(key) ?? (this.stmt.termId.get(key) as { id: number } | undefined)?.id
    return id === undefined ? undefined : Number(id)
  }

  /**
   * Ids of distinct terms, made for the new ones. Terms not cached go to SQLite as one
   * JSON array per statement: the loop over them runs in C, not one call per term.
   */
  idsOf (keys: readonly string[]): number[] {
    if (keys.length < 64) return keys.map(k => this.idOf(k))
    const ids = new Array<number>(keys.length)
    const missing: string[] = []
    const at: number[] = []
    keys.forEach((k, i) => {
      const id = this.ids.get(k)
      if (id !== undefined) ids[i] = id
      else { missing.push(k); at.push(i) }
    })
    for (let from = 0; from < missing.length; from += 8192) {
      const slice = missing.slice(from, from + 8192)
      const json = JSON.stringify(slice)
      this.stmt.addTerms.run(json)
      const rows = this.stmt.termIds.all(json) as unknown as number[][]
      if (rows.length !== slice.length) throw new CorruptStoreError(this.path, 'the term dictionary lost a term it was given')
      if (this.ids.size + slice.length >= ID_CACHE) this.ids.clear()
      for (let i = 0; i < slice.length; i++) {
        const id = Number(rows[i][0])
        ids[at[from + i]] = id
        this.ids.set(slice[i], id)
      }
    }
    return ids
  }

  private idOf (key: string): number {
    let id = this.ids.get(key)
    if (id !== undefined) return id
    const row = this.stmt.termId.get(key) as { id: number } | undefined
    id = row === undefined ? Number(this.stmt.addTerm.run(key).lastInsertRowid) : Number(row.id)
    if (this.ids.size >= ID_CACHE) this.ids.clear()
    this.ids.set(key, id)
    return id
  }

  /** After a rollback: ids handed out since may name nothing now. */
  forgetIds (): void {
    this.ids.clear()
  }

  /**
   * Canonical term strings of ids, read through a reader's statements (`one` by id,
   * `many` over a JSON array of ids). Ids are never reused, so the cache serves every reader.
   */
  resolve (ids: readonly number[], one: StatementSync, many: () => StatementSync): string[] {
    // Many unknown ids (a cold cache): one statement per 8,192 ids, the loop in C.
    const unknown = ids.filter(id => !this.keys.has(id))
    if (unknown.length >= 64) {
      const st = many()
      if (this.keys.size + unknown.length >= KEY_CACHE) this.keys.clear()
      for (let from = 0; from < unknown.length; from += 8192) {
        for (const row of st.all(JSON.stringify(unknown.slice(from, from + 8192))) as Array<{ id: number, key: string }>) {
          this.keys.set(Number(row.id), row.key)
        }
      }
    }
    return ids.map(id => {
      let key = this.keys.get(id)
      if (key === undefined) {
        key = (one.get(id) as { key: string } | undefined)?.key
        if (key === undefined) throw new CorruptStoreError(this.path, `term ${id} is missing from the dictionary`)
        if (this.keys.size >= KEY_CACHE) this.keys.clear()
        this.keys.set(id, key)
      }
      return key
    })
  }
}
