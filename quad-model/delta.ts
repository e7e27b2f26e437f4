/**
 * Quad-deltas and their canonical DAG-CBOR encoding.
 *
 * A delta is a set of added quads and a set of removals, each removal naming one
 * quad and one tag (the CID of the commit whose add of that quad it removes; see
 * merkle-clock for the CRDT). The same delta always encodes to the same bytes:
 *
 *   DeltaChunk = {
 *     t: [string]   term table: the canonical term strings (terms.ts) used by this chunk,
 *                   distinct, sorted in JavaScript string order (UTF-16 code units)
 *     a: [int]      additions, flat: s, p, o, g indexes into t, four per quad;
 *                   quads distinct and sorted by (s, p, o, g) index
 *     r: [int]      removals, flat: s, p, o, g, c, five per entry; c indexes into `c`;
 *                   entries distinct and sorted by (s, p, o, g, c)
 *     c: [CID]      tag table: the commits whose adds are removed, distinct, sorted by bytes
 *   }
 *
 * Because terms are sorted globally before chunking, and chunks are cut at fixed
 * points of the sorted quad sequence, a delta too large for one block becomes the
 * same sequence of chunks every time. Each chunk carries its own term table so it
 * can be decoded alone. Cost: a big import pays one sort of its distinct terms and
 * one numeric sort of its quads.
 */
import type { CID } from 'multiformats/cid'
import { MalformedBlockError, QuadTooLargeError } from './errors.js'

/** A quad as the canonical strings of its subject, predicate, object and graph. */
export type KeyQuad = readonly [string, string, string, string]

export interface Removal {
  quad: KeyQuad
  /** The commit whose add of `quad` this removes. */
  tag: CID
}

export interface DeltaChunk {
  t: string[]
  a: number[]
  r: number[]
  c: CID[]
}

/** Largest block Rhizome writes or accepts, in bytes. */
export const MAX_BLOCK_BYTES = 1024 * 1024

// Room kept free in each chunk for the CBOR map framing and the commit node that
// may embed it; the size estimate below is an upper bound, so a chunk cut at
// this budget always encodes within the block limit.
const CHUNK_BUDGET = MAX_BLOCK_BYTES - 64 * 1024

const encoder = new TextEncoder()

function cborStringBytes (s: string): number {
  // Upper bound of a CBOR text string: at most 3 UTF-8 bytes per UTF-16 unit, plus a 9-byte header.
  return s.length < 0x3fff ? s.length * 3 + 9 : encoder.encode(s).length + 9
}

function compareTuples (a: Uint32Array, width: number, i: number, j: number): number {
  const x = i * width
  const y = j * width
  for (let k = 0; k < width; k++) {
    const d = a[x + k] - a[y + k]
    if (d !== 0) return d
  }
  return 0
}

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** Sorts flat `width`-tuples of term ranks, removing duplicates; returns the sorted order as tuple numbers. */
function sortedDistinct (tuples: Uint32Array, width: number): number[] {
  const count = tuples.length / width
  const order = Array.from({ length: count }, (_, i) => i)
  order.sort((i, j) => compareTuples(tuples, width, i, j))
  const out: number[] = []
  for (const i of order) {
    if (out.length === 0 || compareTuples(tuples, width, out[out.length - 1], i) !== 0) out.push(i)
  }
  return out
}

/**
 * Encodes a delta as its canonical sequence of chunks, each small enough for one block.
 * Returns no chunks for an empty delta.
 */
export function encodeDelta (adds: Iterable<KeyQuad>, removals: Iterable<Removal> = []): DeltaChunk[] {
  const addList = Array.isArray(adds) ? adds as KeyQuad[] : [...adds]
  const removalList = Array.isArray(removals) ? removals as Removal[] : [...removals]

  // 1. Global term order: every distinct term gets its rank in sorted order.
  const seen = new Set<string>()
  for (const q of addList) for (const t of q) seen.add(t)
  for (const r of removalList) for (const t of r.quad) seen.add(t)
  const terms = [...seen].sort()
  const rank = new Map<string, number>()
  terms.forEach((t, i) => rank.set(t, i))

  // 2. Tags sorted by bytes.
  const tagByString = new Map<string, CID>()
  for (const r of removalList) tagByString.set(r.tag.toString(), r.tag)
  const tags = [...tagByString.values()].sort((a, b) => compareBytes(a.bytes, b.bytes))
  const tagRank = new Map<string, number>()
  tags.forEach((c, i) => tagRank.set(c.toString(), i))

  // 3. Quads as rank tuples, sorted and distinct.
  const addTuples = new Uint32Array(addList.length * 4)
  addList.forEach((q, i) => { for (let k = 0; k < 4; k++) addTuples[i * 4 + k] = rank.get(q[k]) as number })
  const removalTuples = new Uint32Array(removalList.length * 5)
  removalList.forEach((r, i) => {
    for (let k = 0; k < 4; k++) removalTuples[i * 5 + k] = rank.get(r.quad[k]) as number
    removalTuples[i * 5 + 4] = tagRank.get(r.tag.toString()) as number
  })
  const addOrder = sortedDistinct(addTuples, 4)
  const removalOrder = sortedDistinct(removalTuples, 5)

  // 4. Cut chunks greedily along the sorted sequence.
  const termBytes = terms.map(cborStringBytes)
  const chunks: DeltaChunk[] = []
  let chunkTerms = new Map<number, number>() // global rank -> local index (assigned at seal time)
  let chunkAdds: number[] = []
  let chunkRemovals: number[] = []
  let chunkTags = new Set<number>()
  let size = 64

  const seal = (): void => {
    if (chunkAdds.length === 0 && chunkRemovals.length === 0) return
    const ranks = [...chunkTerms.keys()].sort((a, b) => a - b)
    ranks.forEach((r, i) => chunkTerms.set(r, i))
    const tagRanks = [...chunkTags].sort((a, b) => a - b)
    const localTag = new Map<number, number>()
    tagRanks.forEach((r, i) => localTag.set(r, i))
    const a: number[] = []
    for (const i of chunkAdds) for (let k = 0; k < 4; k++) a.push(chunkTerms.get(addTuples[i * 4 + k]) as number)
    const r: number[] = []
    for (const i of chunkRemovals) {
      for (let k = 0; k < 4; k++) r.push(chunkTerms.get(removalTuples[i * 5 + k]) as number)
      r.push(localTag.get(removalTuples[i * 5 + 4]) as number)
    }
    chunks.push({ t: ranks.map(x => terms[x]), a, r, c: tagRanks.map(x => tags[x]) })
    chunkTerms = new Map()
    chunkAdds = []
    chunkRemovals = []
    chunkTags = new Set()
    size = 64
  }

  const take = (tuples: Uint32Array, width: number, i: number): number => {
    let cost = width * 5
    for (let k = 0; k < 4; k++) {
      const t = tuples[i * width + k]
      if (!chunkTerms.has(t)) cost += termBytes[t]
    }
    if (width === 5 && !chunkTags.has(tuples[i * 5 + 4])) cost += 48
    return cost
  }

  for (const i of addOrder) {
    let cost = take(addTuples, 4, i)
    if (size + cost > CHUNK_BUDGET) { seal(); cost = take(addTuples, 4, i) }
    if (size + cost > CHUNK_BUDGET) throw new QuadTooLargeError(cost, CHUNK_BUDGET)
    for (let k = 0; k < 4; k++) chunkTerms.set(addTuples[i * 4 + k], 0)
    chunkAdds.push(i)
    size += cost
  }
  for (const i of removalOrder) {
    let cost = take(removalTuples, 5, i)
    if (size + cost > CHUNK_BUDGET) { seal(); cost = take(removalTuples, 5, i) }
    if (size + cost > CHUNK_BUDGET) throw new QuadTooLargeError(cost, CHUNK_BUDGET)
    for (let k = 0; k < 4; k++) chunkTerms.set(removalTuples[i * 5 + k], 0)
    chunkTags.add(removalTuples[i * 5 + 4])
    chunkRemovals.push(i)
    size += cost
  }
  seal()
  return chunks
}

function isIndexArray (value: unknown, width: number, bound: number): value is number[] {
  if (!Array.isArray(value) || value.length % width !== 0) return false
  for (const x of value) if (!Number.isInteger(x) || x < 0 || x >= bound) return false
  return true
}

/**
 * Checks that a decoded value is a well-formed DeltaChunk: the shape above, indexes
 * in range, and each term of a kind allowed in its position. Throws MalformedBlockError.
 */
export function assertDeltaChunk (value: unknown, isCid: (x: unknown) => boolean): asserts value is DeltaChunk {
  if (value === null || typeof value !== 'object') throw new MalformedBlockError('a delta chunk must be a map')
  const chunk = value as Record<string, unknown>
  const { t, a, r, c } = chunk
  if (!Array.isArray(t) || !t.every((x): x is string => typeof x === 'string')) throw new MalformedBlockError('delta term table must be a list of strings')
  for (let i = 1; i < t.length; i++) if (!(t[i - 1] < t[i])) throw new MalformedBlockError('delta term table is not sorted and distinct')
  if (!Array.isArray(c) || !c.every(isCid)) throw new MalformedBlockError('delta tag table must be a list of CIDs')
  if (!isIndexArray(a, 4, t.length)) throw new MalformedBlockError('delta additions must be index quadruples into the term table')
  if (!Array.isArray(r) || r.length % 5 !== 0) throw new MalformedBlockError('delta removals must be index quintuples')
  for (let i = 0; i < r.length; i++) {
    const bound = i % 5 === 4 ? c.length : t.length
    if (!Number.isInteger(r[i]) || r[i] < 0 || r[i] >= bound) throw new MalformedBlockError('delta removal index out of range')
  }
  const kinds = t.map(termKind)
  const checkQuad = (flat: number[], width: number): void => {
    for (let i = 0; i < flat.length; i += width) {
      const s = kinds[flat[i]]; const p = kinds[flat[i + 1]]; const o = kinds[flat[i + 2]]; const g = kinds[flat[i + 3]]
      if ((s !== 'iri' && s !== 'blank') || p !== 'iri' || o === 'default' || o === 'invalid' || g === 'literal' || g === 'invalid') {
        throw new MalformedBlockError(`delta quad ${i / width} has a term of the wrong kind`)
      }
    }
  }
  checkQuad(a, 4)
  checkQuad(r as number[], 5)
}

type TermKind = 'iri' | 'blank' | 'literal' | 'default' | 'invalid'

function termKind (key: string): TermKind {
  if (key === '') return 'default'
  if (key.charCodeAt(0) === 34) return key.lastIndexOf('"') > 0 ? 'literal' : 'invalid'
  if (key.startsWith('_:')) return key.length > 2 ? 'blank' : 'invalid'
  return 'iri'
}

/** The number of quads a chunk adds and removes. */
export function chunkSize (chunk: DeltaChunk): { added: number, removed: number } {
  return { added: chunk.a.length / 4, removed: chunk.r.length / 5 }
}
