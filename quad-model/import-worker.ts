/**
 * A worker thread that parses an import while the main thread writes it. It parses
 * and checks the RDF, interns terms into a DeltaBuilder, posts what it interned in
 * batches (so the store can insert quads as they come), and at the end builds the
 * delta's canonical chunks. Parsing and chunking thus run on a second core beside
 * the store's inserts.
 *
 * Messages to the main thread:
 *   { type: 'batch', terms: string[], quads: Uint32Array, count }   new terms, quads as local indexes
 *   { type: 'parsed', count }        the input is read: the store can finish its indexes meanwhile
 *   { type: 'done', chunks: DeltaChunk[], count }
 *   { type: 'error', error: { name, code, message, line? } }
 */
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import type { NamedNode } from '@rdfjs/types'
import { DeltaBuilder } from './delta.js'
import { parseRdf, type RdfFormat } from './formats.js'
import { factory, termKey } from './terms.js'
import { RhizomeError } from './errors.js'

export interface ImportJob {
  /** The data, or the path of a file to read (gunzipped when it ends in .gz). */
  input: string | Uint8Array | ReadableStream<Uint8Array> | { path: string }
  format: RdfFormat
  baseIRI?: string
  graph?: string
}

const BATCH = 16_384

async function run (job: ImportJob): Promise<void> {
  const port = parentPort!
  const builder = new DeltaBuilder()
  const graph: NamedNode | undefined = job.graph === undefined ? undefined : factory.namedNode(job.graph)
  const post = (): void => {
    const { terms, quads } = builder.takeProgress()
    port.postMessage({ type: 'batch', terms, quads, count: builder.additions }, [quads.buffer as ArrayBuffer])
  }
  const input = typeof job.input === 'object' && 'path' in job.input ? pathToFileURL(job.input.path) : job.input
  for await (const quad of parseRdf(input, { format: job.format, baseIRI: job.baseIRI, graph })) {
    builder.add(termKey(quad.subject), termKey(quad.predicate), termKey(quad.object), termKey(quad.graph))
    if (builder.additions % BATCH === 0) post()
  }
  post()
  port.postMessage({ type: 'parsed', count: builder.additions })
  port.postMessage({ type: 'done', chunks: builder.build(), count: builder.additions })
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
