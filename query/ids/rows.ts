/**
 * Solutions as rows of term ids, for the id-level engine (engine.ts).
 *
 * A batch of solutions is a `Rows`: `length` rows of `width` slots in one
 * Uint32Array, one slot per variable of the query part being evaluated; 0 is
 * "unbound". Ids are the source's own (IdAccess), or, for a term the source does
 * not hold (a VALUES constant, a BIND result), a local id at or above LOCAL_BASE,
 * given out by the run's Dictionary. A local id never matches a scan, and one term
 * has one id within a run, so ids compare as terms do.
 * Cost: a row costs 4 bytes a slot; only answers are turned into RDF/JS terms.
 */
import type * as RDF from '@rdfjs/types'
import type { IdAccess } from '../source.js'
import { sameTermKey } from '../terms.js'

/** Ids at or above this are local to one run: terms the source does not hold. */
export const LOCAL_BASE = 0x80000000

export class Rows {
  data: Uint32Array
  length = 0

  constructor (readonly width: number, capacity = 16) {
    this.data = new Uint32Array(width * Math.max(1, capacity))
  }

  /** One row with the given slots bound. */
  static single (width: number, fill?: (row: Uint32Array) => void): Rows {
    const rows = new Rows(width, 1)
    rows.length = 1
    fill?.(rows.data)
    return rows
  }

  /** Appends a copy of row `i` of `from` and returns the offset of the new row in `data`. */
  copyRow (from: Rows, i: number): number {
    const w = this.width
    if ((this.length + 1) * w > this.data.length) this.grow()
    const at = this.length * w
    const src = from.data
    const base = i * w
    for (let k = 0; k < w; k++) this.data[at + k] = src[base + k]
    this.length++
    return at
  }

  /** Appends an all-unbound row and returns its offset. */
  addEmpty (): number {
    const w = this.width
    if ((this.length + 1) * w > this.data.length) this.grow()
    const at = this.length * w
    this.data.fill(0, at, at + w)
    this.length++
    return at
  }

  /** Drops the last row (a row that turned out inconsistent while being filled). */
  pop (): void { this.length-- }

  private grow (): void {
    const next = new Uint32Array(Math.max(this.width * 16, this.data.length * 2))
    next.set(this.data)
    this.data = next
  }

  /** Up to `n` rows spread evenly over these (for estimates). */
  sample (n: number): Rows {
    const out = new Rows(this.width, Math.min(n, this.length))
    if (this.length <= n) {
      for (let i = 0; i < this.length; i++) out.copyRow(this, i)
      return out
    }
    const step = this.length / n
    for (let k = 0; k < n; k++) out.copyRow(this, Math.floor(k * step))
    return out
  }
}

/** A map key for a row's ids at `slots` (DISTINCT, GROUP BY, MINUS): the id itself for one slot, else the ids joined. */
export function rowKey (data: Uint32Array, at: number, slots: readonly number[]): string | number {
  if (slots.length === 1) return data[at + slots[0]!]!
  let key = ''
  for (const s of slots) key += `${data[at + s]!},`
  return key
}

/** A term's key with its language tag as written (the source tells tags apart by case). */
function exactKey (t: RDF.Term): string {
  return t.termType === 'Literal' && t.language !== '' ? `"${t.value}"@${t.language}` : sameTermKey(t)
}

/**
 * Term ↔ id for one run: the source's ids for the terms it holds, local ids for
 * the others, and the RDF/JS terms of ids once resolved.
 */
export class Dictionary {
  private readonly localIds = new Map<string, number>()
  private readonly localTerms: RDF.Term[] = []
  private readonly resolved = new Map<number, RDF.Term>()

  constructor (readonly access: IdAccess) {}

  /** Ids of terms asked for in this run, by key: computed values repeat (counts, BIND results). */
  private readonly known = new Map<string, number>()

  /** The id of each term: the source's, or a local one. */
  async ids (terms: readonly RDF.Term[]): Promise<Uint32Array> {
    const out = new Uint32Array(terms.length)
    const keys = terms.map(exactKey)
    const ask: RDF.Term[] = []
    const askKeys = new Map<string, number>()
    for (let i = 0; i < terms.length; i++) {
      const id = this.known.get(keys[i]!)
      if (id !== undefined) out[i] = id
      else if (!askKeys.has(keys[i]!)) { askKeys.set(keys[i]!, ask.length); ask.push(terms[i]!) }
    }
    if (ask.length > 0) {
      const found = await this.access.termIds(ask)
      ask.forEach((t, k) => {
        let id = found[k]!
        if (id === 0) id = this.local(t)
        else if (!this.resolved.has(id)) this.resolved.set(id, t)
        this.known.set(exactKey(t), id)
      })
      for (let i = 0; i < terms.length; i++) if (out[i] === 0) out[i] = this.known.get(keys[i]!)!
    }
    return out
  }

  private local (t: RDF.Term): number {
    const k = sameTermKey(t)
    let id = this.localIds.get(k)
    if (id === undefined) {
      id = LOCAL_BASE + this.localTerms.length
      this.localTerms.push(t)
      this.localIds.set(k, id)
    }
    return id
  }

  /** Makes `term` answer for every id among `ids` (0 is skipped). */
  async resolve (ids: ArrayLike<number>): Promise<void> {
    let missing: number[] | undefined
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      if (id === 0 || id >= LOCAL_BASE || this.resolved.has(id)) continue
      (missing ??= []).push(id)
    }
    if (missing === undefined) return
    const distinct = [...new Set(missing)]
    const terms = await this.access.idTerms(distinct)
    for (let i = 0; i < distinct.length; i++) this.resolved.set(distinct[i]!, terms[i]!)
  }

  /** The term of a resolved id. */
  term (id: number): RDF.Term {
    return id >= LOCAL_BASE ? this.localTerms[id - LOCAL_BASE]! : this.resolved.get(id)!
  }
}
