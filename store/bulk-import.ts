/**
 * Bulk import on two cores: a worker thread (quad-model/import-worker.ts) parses
 * and interns the input while this thread writes its quads into the backend's
 * bulk write; when the input ends, the worker's canonical chunks, which it also
 * encodes as blocks, become one signed commit, which `finish` stores atomically
 * with the quads. A parse error, an abort or a crash before `finish` leaves the
 * store as it was.
 *
 * Used when the backend supports bulk writes and the compiled worker is present;
 * otherwise the caller parses in-thread (same result, one core).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CID } from 'multiformats/cid'
import {
  AbortedError, ERROR_CODES, InputReadError, InvalidRdfError, RhizomeError,
  type DeltaChunk, type ErrorCode, type PostedChunk, type RdfFormat, type RdfInput
} from '../quad-model/index.js'
import { createCommit, type Block, type Commit, type Signer } from '../merkle-clock/index.js'
import type { Backend } from './backend.js'

const workerUrl = new URL('../quad-model/import-worker.js', import.meta.url)

/** True when imports can run in a worker thread (the compiled worker file exists). */
export function canImportInWorker (backend: Backend): boolean {
  return backend.beginBulk !== undefined && workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl))
}

export interface BulkImportOptions {
  format: RdfFormat
  baseIRI?: string
  graph?: string
  db: CID
  signer: Signer
  signal?: AbortSignal
  onProgress?: (quads: number) => void
}

/** Moves the input into something a worker can take: a string, bytes or a web stream (transferred). */
const TRANSFER_BYTES = 1024 * 1024

function transferable (input: RdfInput): { input: string | Uint8Array | ReadableStream<Uint8Array> | { path: string }, transfer: ReadableStream[] } {
  if (typeof input === 'string' || input instanceof Uint8Array) return { input, transfer: [] }
  // A file the worker reads itself, so its bytes never pass through this thread.
  if (input instanceof URL) return { input: { path: fileURLToPath(input) }, transfer: [] }
  let stream: ReadableStream<Uint8Array>
  if (typeof (input as ReadableStream).getReader === 'function') stream = input as ReadableStream<Uint8Array>
  else {
    // Node streams and iterables alike, in pieces of about TRANSFER_BYTES: every piece
    // crosses to the worker as a message, and a gunzip stream's 16 KiB chunks would be
    // thousands of them, each costing this thread (which is inserting) its turn. A
    // text-mode stream yields strings, which a byte stream cannot carry: they are encoded.
    const source = input as AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>
    const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
    const encoder = new TextEncoder()
    let ended = false
    stream = new ReadableStream<Uint8Array>({
      async pull (controller) {
        const parts: Uint8Array[] = []
        let size = 0
        while (size < TRANSFER_BYTES) {
          const next = await iterator.next()
          if (next.done === true) { ended = true; break }
          const bytes = typeof next.value === 'string' ? encoder.encode(next.value) : next.value
          parts.push(bytes)
          size += bytes.length
        }
        if (size > 0) controller.enqueue(parts.length === 1 ? parts[0] : Buffer.concat(parts, size))
        if (ended) controller.close()
      },
      async cancel (reason) {
        await iterator.return?.(reason)
      }
    })
  }
  return { input: stream, transfer: [stream] }
}

function rebuildError (e: { name: string, code: string, message: string, line?: number }): Error {
  if (e.code === 'ERR_INVALID_RDF') return new InvalidRdfError(e.message.replace(/^line \d+: /, ''), e.line)
  if (e.code === 'ERR_ABORTED') return new AbortedError(e.message)
  if (e.code === 'ERR_READ_INPUT') return new InputReadError(e.message.replace(/^cannot read the input: /, ''))
  const err = new RhizomeError(e.code in ERROR_CODES ? e.code as ErrorCode : 'ERR_IMPORT', e.message)
  err.name = e.name
  return err
}

/** A chunk and its block as the worker encoded them, back in the shapes the commit takes. */
function receivedBlock (posted: PostedChunk): Block<DeltaChunk> {
  // A loop, as Array.from over a typed array is several times slower.
  const a = new Array<number>(posted.a.length)
  for (let i = 0; i < a.length; i++) a[i] = posted.a[i]
  return { cid: CID.decode(posted.cid), bytes: posted.bytes, value: { t: posted.t, a, r: [], c: [] } }
}

/**
 * Imports in a worker; returns the commit made, or undefined for an empty input.
 * The caller must hold the graph's write lock.
 */
export async function bulkImport (backend: Backend, data: RdfInput, options: BulkImportOptions): Promise<{ commit: Commit | undefined, quads: number }> {
  const { input, transfer } = transferable(data)
  const bulk = backend.beginBulk!()
  const worker = new Worker(workerUrl, {
    workerData: { input, format: options.format, baseIRI: options.baseIRI, graph: options.graph },
    transferList: transfer as never[]
  })
  try {
    const { chunks, count } = await new Promise<{ chunks: PostedChunk[], count: number }>((resolve, reject) => {
      const onAbort = (): void => reject(new AbortedError(undefined, { cause: options.signal?.reason }))
      if (options.signal?.aborted === true) onAbort()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      worker.on('message', (msg: { type: string, terms: string[], quads: Uint8Array, count: number, chunks: PostedChunk[], error: never }) => {
        try {
          if (msg.type === 'batch') {
            bulk.add(msg.terms, msg.quads as unknown as Uint32Array)
            options.onProgress?.(msg.count)
          } else if (msg.type === 'parsed') {
            // Build the indexes while the worker sorts and chunks the delta.
            bulk.seal?.()
          } else if (msg.type === 'done') {
            resolve({ chunks: msg.chunks, count: msg.count })
          } else if (msg.type === 'error') {
            reject(rebuildError(msg.error))
          }
        } catch (err) {
          reject(err)
        }
      })
      worker.on('error', reject)
      worker.on('exit', code => reject(new RhizomeError('ERR_IMPORT', `the import worker stopped (exit code ${code})`)))
    })
    if (chunks.length === 0) {
      bulk.abort()
      return { commit: undefined, quads: count }
    }
    const heads = await backend.heads()
    const blocks = chunks.map(receivedBlock)
    const commit = createCommit({ db: options.db, parents: heads, chunks: blocks.map(b => b.value), encoded: blocks, signer: options.signer })
    await bulk.finish(commit)
    return { commit, quads: count }
  } catch (err) {
    bulk.abort()
    throw err
  } finally {
    void worker.terminate()
  }
}
