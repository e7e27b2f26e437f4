/**
 * A worker thread that parses an import while the main thread writes it. It parses
 * and checks the RDF, interns terms into a DeltaBuilder, posts what it interned in
 * batches (so the store can insert quads as they come), and at the end builds the
 * delta's canonical chunks and encodes them as blocks. Parsing, chunking and
 * encoding thus run on a second core beside the store's inserts and index builds.
 *
 * Messages to the main thread:
 *   { type: 'batch', terms: string[], quads: Uint32Array, count }   new terms, quads as local indexes
 *   { type: 'parsed', count }        the input is read: the store can finish its indexes meanwhile
 *   { type: 'done', chunks: PostedChunk[], count }
 *   { type: 'error', error: { name, code, message, line? } }
 */
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import * as dagCbor from '@ipld/dag-cbor'
import type { NamedNode } from '@rdfjs/types'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { DeltaBuilder, encodeChunk, type DeltaChunk } from './delta.js'
import { forEachParsedQuad, type RdfFormat } from './formats.js'
import { assertQuadShape, assertStorableQuad, factory, keysAreUnambiguous, termKey } from './terms.js'
import { RhizomeError } from './errors.js'

export interface ImportJob {
  /** The data, or the path of a file to read (gunzipped when it ends in .gz). */
  input: string | Uint8Array | ReadableStream<Uint8Array> | { path: string }
  format: RdfFormat
  baseIRI?: string
  graph?: string
}

/**
 * A chunk as it crosses to the main thread, with its block. The additions travel as
 * a transferred Uint32Array: structured cloning millions of numbers in plain
 * arrays costs the receiving thread several times what rebuilding them does. An
 * import removes nothing, so the chunk's removals and tags are empty.
 */
export interface PostedChunk {
  t: string[]
  a: Uint32Array
  /** The chunk's DAG-CBOR encoding. */
  bytes: Uint8Array
  /** The bytes of its CID: v1, dag-cbor, sha2-256, as merkle-clock's blocks. */
  cid: Uint8Array
}

const BATCH = 16_384

function postable (chunk: DeltaChunk): PostedChunk {
  if (chunk.r.length > 0 || chunk.c.length > 0) throw new RangeError('an import has no removals')
  // Encoded here, on the worker's spare core, rather than in createCommit on the
  // main thread. quad-model sits below merkle-clock, so this is its encodeBlock
  // spelled out (the buffer holds these bytes alone, to be transferred); a test
  // checks that the two agree.
  const bytes = encodeChunk(chunk)
  const digest = sha256.digest(bytes)
  if (digest instanceof Promise) throw new Error('sha256 must be synchronous on this platform')
  return { t: chunk.t, a: Uint32Array.from(chunk.a), bytes, cid: CID.createV1(dagCbor.code, digest).bytes }
}

async function run (job: ImportJob): Promise<void> {
  const port = parentPort!
  const builder = new DeltaBuilder()
  const graph: NamedNode | undefined = job.graph === undefined ? undefined : factory.namedNode(job.graph)
  const post = (): void => {
    const { terms, quads } = builder.takeProgress()
    port.postMessage({ type: 'batch', terms, quads, count: builder.additions }, [quads.buffer as ArrayBuffer])
  }
  const input = typeof job.input === 'object' && 'path' in job.input ? pathToFileURL(job.input.path) : job.input
  await forEachParsedQuad(input, { format: job.format, baseIRI: job.baseIRI, graph }, quad => {
    // A file repeats its terms many times over: a term's text is checked the first
    // time it is interned, and only the kinds of the terms on every quad. A quad
    // that brings a new term gets the whole check, so errors are as assertStorableQuad's.
    assertQuadShape(quad)
    const known = builder.termCount
    builder.add(termKey(quad.subject), termKey(quad.predicate), termKey(quad.object), termKey(quad.graph))
    if (builder.termCount !== known || !keysAreUnambiguous(quad)) assertStorableQuad(quad)
    if (builder.additions % BATCH === 0) post()
  })
  post()
  port.postMessage({ type: 'parsed', count: builder.additions })
  const chunks = builder.build().map(postable)
  const transfer: ArrayBuffer[] = []
  for (const c of chunks) transfer.push(c.a.buffer as ArrayBuffer, c.bytes.buffer as ArrayBuffer)
  port.postMessage({ type: 'done', chunks, count: builder.additions }, transfer)
}

if (parentPort !== null && workerData !== undefined) {
  run(workerData as ImportJob).catch((err: unknown) => {
    const e = err as RhizomeError & { line?: number }
    parentPort!.postMessage({
      type: 'error',
      error: { name: e.name, code: e instanceof RhizomeError ? e.code : 'ERR_IMPORT', message: e.message, line: e.line }
    })
  })
}
