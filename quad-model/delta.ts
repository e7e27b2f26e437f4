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
import { compareBytes } from './bytes.js'
import { CborWriter, headBytes } from './cbor.js'
import { InvalidRdfError, MalformedBlockError, QuadTooLargeError } from './errors.js'
import { assertStorableTerm, termFromKey } from './terms.js'

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

/**
 * Sorts `count` flat `width`-tuples of ranks below `bound` and drops duplicates;
 * returns tuple numbers in sorted order. An LSD radix sort (one stable counting
 * sort per column), linear in tuples + distinct terms, since big imports sort
 * hundreds of thousands of quads.
 */
function sortedDistinct (tuples: Uint32Array, width: number, count: number, bound: number): Uint32Array {
  let order = new Uint32Array(count)
  for (let i = 0; i < count; i++) order[i] = i
  let next = new Uint32Array(count)
  const counts = new Uint32Array(bound + 1)
  for (let col = width - 1; col >= 0; col--) {
    counts.fill(0)
    for (let i = 0; i < count; i++) counts[tuples[order[i] * width + col] + 1]++
    for (let b = 1; b <= bound; b++) counts[b] += counts[b - 1]
    for (let i = 0; i < count; i++) next[counts[tuples[order[i] * width + col]]++] = order[i]
    ;[order, next] = [next, order]
  }
  let n = 0
  for (let i = 0; i < count; i++) {
    if (n === 0 || compareTuples(tuples, width, order[n - 1], order[i]) !== 0) order[n++] = order[i]
  }
  return order.subarray(0, n)
}

/**
 * Collects a delta's additions and removals, interning terms as they come (a bulk
 * import holds each distinct term string once), and encodes it canonically.
 */
export class DeltaBuilder {
  private readonly terms = new Map<string, number>()
  private readonly termList: string[] = []
  private adds = new Uint32Array(1024)
  private addCount = 0
  private readonly removals: Removal[] = []

  private intern (term: string): number {
    let i = this.terms.get(term)
    if (i === undefined) {
      i = this.termList.length
      this.terms.set(term, i)
      this.termList.push(term)
    }
    return i
  }

  // The last subject, predicate and graph added, with their indexes. Files group
  // quads by subject and graph, and a string compare costs less than a lookup in
  // a map of many thousand terms (hashing the string, then missing the cache).
  private lastS = ''
  private lastSIndex = -1
  private lastP = ''
  private lastPIndex = -1
  private lastG = ''
  private lastGIndex = -1

  /** Adds the quad with canonical term strings s, p, o, g (a duplicate is dropped at build). */
  add (s: string, p: string, o: string, g: string): void {
    if ((this.addCount + 1) * 4 > this.adds.length) {
      const grown = new Uint32Array(this.adds.length * 2)
      grown.set(this.adds)
      this.adds = grown
    }
    const at = this.addCount++ * 4
    const adds = this.adds
    if (this.lastSIndex < 0 || s !== this.lastS) { this.lastS = s; this.lastSIndex = this.intern(s) }
    adds[at] = this.lastSIndex
    if (this.lastPIndex < 0 || p !== this.lastP) { this.lastP = p; this.lastPIndex = this.intern(p) }
    adds[at + 1] = this.lastPIndex
    adds[at + 2] = this.intern(o)
    if (this.lastGIndex < 0 || g !== this.lastG) { this.lastG = g; this.lastGIndex = this.intern(g) }
    adds[at + 3] = this.lastGIndex
  }

  remove (removal: Removal): void {
    for (const t of removal.quad) this.intern(t)
    this.removals.push(removal)
  }

  private termsTaken = 0
  private addsTaken = 0

  /**
   * What was interned and added since the last call: new terms in local-index
   * order and the quads as flat local indexes. Lets a consumer mirror the builder
   * (e.g. write quads to a store while the input is still being parsed).
   */
  takeProgress (): { terms: string[], quads: Uint32Array } {
    const terms = this.termList.slice(this.termsTaken)
    this.termsTaken = this.termList.length
    const quads = this.adds.slice(this.addsTaken * 4, this.addCount * 4)
    this.addsTaken = this.addCount
    return { terms, quads }
  }

  /** Quads added so far, duplicates included. */
  get additions (): number { return this.addCount }
  /** Distinct terms interned so far: when it grows, the last call met a new term. */
  get termCount (): number { return this.termList.length }
  get removalCount (): number { return this.removals.length }

  /** The canonical chunks; none for an empty delta. */
  build (): DeltaChunk[] {
    // 1. Global term order: every distinct term gets its rank in sorted order.
    const terms = [...this.termList].sort()
    const rankOfLocal = new Uint32Array(terms.length)
    terms.forEach((t, rank) => { rankOfLocal[this.terms.get(t) as number] = rank })

    // 2. Tags sorted by bytes.
    const tagByString = new Map<string, CID>()
    for (const r of this.removals) tagByString.set(r.tag.toString(), r.tag)
    const tags = [...tagByString.values()].sort((a, b) => compareBytes(a.bytes, b.bytes))
    const tagRank = new Map<string, number>()
    tags.forEach((c, i) => tagRank.set(c.toString(), i))

    // 3. Quads as rank tuples, sorted and distinct.
    const addTuples = this.adds.subarray(0, this.addCount * 4).map(local => rankOfLocal[local])
    const removalTuples = new Uint32Array(this.removals.length * 5)
    this.removals.forEach((r, i) => {
      for (let k = 0; k < 4; k++) removalTuples[i * 5 + k] = rankOfLocal[this.terms.get(r.quad[k]) as number]
      removalTuples[i * 5 + 4] = tagRank.get(r.tag.toString()) as number
    })
    const addOrder = sortedDistinct(addTuples, 4, this.addCount, terms.length)
    const removalOrder = sortedDistinct(removalTuples, 5, this.removals.length, Math.max(terms.length, tags.length))
    return cutChunks(terms, tags, addTuples, addOrder, removalTuples, removalOrder)
  }
}

/**
 * Encodes a delta as its canonical sequence of chunks, each small enough for one block.
 * Returns no chunks for an empty delta.
 */
export function encodeDelta (adds: Iterable<KeyQuad>, removals: Iterable<Removal> = []): DeltaChunk[] {
  const builder = new DeltaBuilder()
  for (const q of adds) builder.add(q[0], q[1], q[2], q[3])
  for (const r of removals) builder.remove(r)
  return builder.build()
}

/** Cuts the sorted additions, then removals, greedily into chunks that each fit in a block. */
function cutChunks (terms: string[], tags: CID[], addTuples: Uint32Array, addOrder: Uint32Array, removalTuples: Uint32Array, removalOrder: Uint32Array): DeltaChunk[] {
  const termBytes = new Int32Array(terms.length).fill(-1)
  const chunks: DeltaChunk[] = []
  // Terms and tags of the chunk being filled, marked by the chunk's number to avoid clearing.
  const termMark = new Int32Array(terms.length).fill(-1)
  const tagMark = new Int32Array(tags.length).fill(-1)
  let chunkTerms: number[] = []
  let chunkTags: number[] = []
  let chunkAdds: number[] = []
  let chunkRemovals: number[] = []
  let size = 64

  // A term's (or tag's) index in the chunk being sealed, by its global rank: an
  // array rather than a map per chunk, as a big import looks up millions of them.
  const local = new Uint32Array(terms.length)
  const localTag = new Uint32Array(tags.length)

  const seal = (): void => {
    if (chunkAdds.length === 0 && chunkRemovals.length === 0) return
    // Typed arrays sort numerically, natively: faster than a comparator over numbers.
    const termRanks = Uint32Array.from(chunkTerms).sort()
    termRanks.forEach((r, i) => { local[r] = i })
    const tagRanks = Uint32Array.from(chunkTags).sort()
    tagRanks.forEach((r, i) => { localTag[r] = i })
    const a = new Array<number>(chunkAdds.length * 4)
    let n = 0
    for (const i of chunkAdds) for (let k = 0; k < 4; k++) a[n++] = local[addTuples[i * 4 + k]]
    const r: number[] = []
    for (const i of chunkRemovals) {
      for (let k = 0; k < 4; k++) r.push(local[removalTuples[i * 5 + k]])
      r.push(localTag[removalTuples[i * 5 + 4]])
    }
    chunks.push({ t: Array.from(termRanks, x => terms[x]), a, r, c: Array.from(tagRanks, x => tags[x]) })
    chunkTerms = []
    chunkTags = []
    chunkAdds = []
    chunkRemovals = []
    size = 64
  }

  const cost = (tuples: Uint32Array, width: number, i: number): number => {
    const chunk = chunks.length
    let bytes = width * 5
    for (let k = 0; k < 4; k++) {
      const t = tuples[i * width + k]
      if (termMark[t] !== chunk) {
        if (termBytes[t] < 0) termBytes[t] = cborStringBytes(terms[t])
        bytes += termBytes[t]
      }
    }
    if (width === 5 && tagMark[tuples[i * 5 + 4]] !== chunk) bytes += 48
    return bytes
  }

  const place = (tuples: Uint32Array, width: number, i: number): void => {
    let bytes = cost(tuples, width, i)
    if (size + bytes > CHUNK_BUDGET) { seal(); bytes = cost(tuples, width, i) }
    if (size + bytes > CHUNK_BUDGET) throw new QuadTooLargeError(bytes, CHUNK_BUDGET)
    const chunk = chunks.length
    for (let k = 0; k < 4; k++) {
      const t = tuples[i * width + k]
      if (termMark[t] !== chunk) { termMark[t] = chunk; chunkTerms.push(t) }
    }
    if (width === 5) {
      const tag = tuples[i * 5 + 4]
      if (tagMark[tag] !== chunk) { tagMark[tag] = chunk; chunkTags.push(tag) }
      chunkRemovals.push(i)
    } else {
      chunkAdds.push(i)
    }
    size += bytes
  }

  for (const i of addOrder) place(addTuples, 4, i)
  for (const i of removalOrder) place(removalTuples, 5, i)
  seal()
  return chunks
}

/**
 * A chunk's DAG-CBOR encoding, the very bytes @ipld/dag-cbor's `encode` gives
 * (a test holds them to it), written straight into one buffer. The generic
 * encoder makes a token object for every integer, and a big import's chunks
 * hold millions of them: this takes a fraction of its time.
 */
export function encodeChunk (chunk: DeltaChunk): Uint8Array {
  // An upper bound of the size: at most 3 UTF-8 bytes per UTF-16 unit, 9-byte headers.
  let bound = 64 + (chunk.a.length + chunk.r.length) * 5
  for (const term of chunk.t) bound += term.length * 3 + 9
  for (const tag of chunk.c) bound += tag.bytes.length + 12
  const w = new CborWriter(bound)
  const ints = (key: string, list: number[]): void => {
    w.key(key)
    w.head(4, list.length)
    for (const n of list) w.head(0, n)
  }
  // Map keys in DAG-CBOR order (shorter first, then bytewise): a, c, r, t.
  w.head(5, 4)
  ints('a', chunk.a)
  w.key('c')
  w.head(4, chunk.c.length)
  for (const tag of chunk.c) w.cid(tag)
  ints('r', chunk.r)
  w.key('t')
  w.head(4, chunk.t.length)
  for (const term of chunk.t) {
    // Written after room for the longest head its length allows, then moved back
    // when the UTF-8 length it turned out to have takes a shorter one.
    const start = w.at
    const room = headBytes(term.length * 3)
    const { written } = encoder.encodeInto(term, w.out.subarray(start + room))
    w.head(3, written)
    if (w.at !== start + room) w.out.copyWithin(w.at, start + room, start + room + written)
    w.at += written
  }
  return w.done()
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
  // Every term passes the checks a local write passes: a writer's signature says who
  // wrote a term, not that it is RDF.
  for (const key of t) {
    if (key === '') continue
    try {
      assertStorableTerm(termFromKey(key))
    } catch (err) {
      if (err instanceof InvalidRdfError) throw new MalformedBlockError(`delta term ${JSON.stringify(key.slice(0, 200))} is not RDF: ${err.message}`, { cause: err })
      throw err
    }
  }
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

/**
 * The number of quads a delta's chunks add and remove (four indexes per addition,
 * five per removal): the one place that knows the arrays' strides.
 */
export function countChanges (chunks: Iterable<Pick<DeltaChunk, 'a' | 'r'>>): { added: number, removed: number } {
  let added = 0
  let removed = 0
  for (const chunk of chunks) {
    added += chunk.a.length / 4
    removed += chunk.r.length / 5
  }
  return { added, removed }
}
