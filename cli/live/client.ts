/**
 * The live channel's client: a command run on a folder that `rhizome serve` or
 * `rhizome pin` holds gets a LiveGraph, which sends each call to the running process
 * (server.ts) and gives back what a Graph would. The commands do not know which they
 * have: both are a CliGraph.
 */
import { connect, type Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { CID } from 'multiformats/cid'
import {
  InvalidRdfError, RhizomeError, factory,
  type AbortOptions, type CommitResult, type ErrorCode, type ImportOptions, type ImportResult, type LogEntry,
  type QueryOptions, type QueryResult, type RDF, type RdfInput, type Solution
} from '../../index.js'
import type { HeldView, PublishedView, ResolvedView } from '../names.js'
import { fromBase64, lines, quadFromWire, send, SOCKET_FILE, termFromWire, termToWire, toBase64, type Reply, type WireTerm } from './protocol.js'

/** What the commands use of a graph: a Graph, or a LiveGraph reaching the process that holds one. */
export interface CliGraph {
  readonly address: string
  readonly writer: string
  size: (options?: AbortOptions) => Promise<number>
  heads: (options?: AbortOptions) => Promise<CID[]>
  log: (options?: { limit?: number, before?: number } & AbortOptions) => Promise<LogEntry[]>
  query: (text: string, options?: QueryOptions) => Promise<QueryResult>
  update: (text: string, options?: AbortOptions & { allowFiles?: readonly string[] }) => Promise<CommitResult>
  import: (data: RdfInput, options: ImportOptions) => Promise<ImportResult>
  export: (options: { format: string, graph?: string, union?: boolean } & AbortOptions) => AsyncIterable<string>
  exportCar: (options?: AbortOptions) => AsyncIterable<Uint8Array>
  mergeCar: (data: Uint8Array, options?: AbortOptions) => Promise<{ applied: number, heads: CID[] }>
  addFile: (content: AsyncIterable<Uint8Array>, options?: AbortOptions) => Promise<string>
  catFile: (iri: string, options?: AbortOptions) => AsyncIterable<Uint8Array>
  match: (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null, options?: AbortOptions) => AsyncIterable<RDF.Quad>
  close: () => Promise<void>
}

/** A LiveGraph on the process serving `folder`, or undefined when none answers there. */
export async function connectLive (folder: string, signal?: AbortSignal): Promise<LiveGraph | undefined> {
  const path = join(folder, SOCKET_FILE)
  let info: { address: string, writer: string }
  try {
    info = await new Call(path, 'info', [], signal).result() as typeof info
  } catch (err) {
    if (err instanceof RhizomeError) throw err
    return undefined // no socket, or no one listening on it (a process that died)
  }
  return new LiveGraph(path, info.address, info.writer)
}

export class LiveGraph implements CliGraph {
  constructor (private readonly path: string, readonly address: string, readonly writer: string) {}

  private call (method: string, args: unknown[], signal: AbortSignal | undefined, input?: AsyncIterable<Uint8Array>): Call {
    return new Call(this.path, method, args, signal, input)
  }

  async size (options: AbortOptions = {}): Promise<number> { return await this.call('size', [], options.signal).result() as number }
  async heads (options: AbortOptions = {}): Promise<CID[]> { return (await this.call('heads', [], options.signal).result() as string[]).map(s => CID.parse(s)) }

  async log (options: { limit?: number, before?: number } & AbortOptions = {}): Promise<LogEntry[]> {
    const entries = await this.call('log', [{ limit: options.limit, before: options.before }], options.signal).result() as Array<Omit<LogEntry, 'cid' | 'parents'> & { cid: string, parents: string[] }>
    return entries.map(e => ({ ...e, cid: CID.parse(e.cid), parents: e.parents.map(p => CID.parse(p)) }))
  }

  async update (text: string, options: AbortOptions & { allowFiles?: readonly string[] } = {}): Promise<CommitResult> {
    // The server reads the files LOAD names, so the folders go as absolute paths.
    const allowFiles = options.allowFiles?.map(dir => resolve(dir))
    return commitOf(await this.call('update', [text, { allowFiles }], options.signal).result())
  }

  async import (data: RdfInput, options: ImportOptions): Promise<ImportResult> {
    const { format, graph, baseIRI, size } = options
    const result = await this.call('import', [{ format, graph, baseIRI, size }], options.signal, bytesOf(data)).result() as { quads: number }
    return { ...commitOf(result), quads: result.quads }
  }

  async mergeCar (data: Uint8Array, options: AbortOptions = {}): Promise<{ applied: number, heads: CID[] }> {
    const r = await this.call('mergeCar', [], options.signal, once(data)).result() as { applied: number, heads: string[] }
    return { applied: r.applied, heads: r.heads.map(s => CID.parse(s)) }
  }

  async addFile (content: AsyncIterable<Uint8Array>, options: AbortOptions = {}): Promise<string> {
    return await this.call('addFile', [], options.signal, content).result() as string
  }

  async * export (options: { format: string, graph?: string, union?: boolean } & AbortOptions): AsyncGenerator<string> {
    yield * this.call('export', [{ format: options.format, graph: options.graph, union: options.union }], options.signal).items() as AsyncGenerator<string>
  }

  async * exportCar (options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    for await (const chunk of this.call('exportCar', [], options.signal).items()) yield fromBase64(chunk as string)
  }

  async * catFile (iri: string, options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    for await (const chunk of this.call('catFile', [iri], options.signal).items()) yield fromBase64(chunk as string)
  }

  async * match (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null, options: AbortOptions = {}): AsyncGenerator<RDF.Quad> {
    const pattern = [subject, predicate, object, graph].map(t => t === null || t === undefined || t.termType === 'Variable' ? null : termToWire(t))
    for await (const q of this.call('match', pattern, options.signal).items()) yield quadFromWire(q as WireTerm[])
  }

  async query (text: string, options: QueryOptions = {}): Promise<QueryResult> {
    const call = this.call('query', [text, { timeoutMs: options.timeoutMs, defaultGraphAsUnion: options.defaultGraphAsUnion, services: options.federation?.allow }], options.signal)
    const meta = await call.meta() as { type: 'bindings', variables: string[] } | { type: 'quads' } | undefined
    if (meta === undefined) return await call.result() as QueryResult // a boolean
    const items = call.items()
    if (meta.type === 'quads') {
      return { type: 'quads', [Symbol.asyncIterator]: async function * () { for await (const q of items) yield quadFromWire(q as WireTerm[]) } }
    }
    const names = meta.variables
    return {
      type: 'bindings',
      variables: names.map(v => (factory.variable as (name: string) => RDF.Variable)(v)),
      [Symbol.asyncIterator]: async function * (): AsyncGenerator<Solution> {
        for await (const row of items) {
          const solution = new Map<string, RDF.Term>()
          ;(row as Array<WireTerm | null>).forEach((t, i) => { if (t !== null) solution.set(names[i]!, termFromWire(t)) })
          yield solution
        }
      }
    }
  }

  async publishName (label: string, options: { lifetime?: number, confirm?: number, timeout?: number } & AbortOptions = {}): Promise<PublishedView> {
    return await this.call('publishName', [label, { lifetime: options.lifetime, confirm: options.confirm, timeout: options.timeout }], options.signal).result() as PublishedView
  }

  async resolveName (name: string, options: { timeout?: number } & AbortOptions = {}): Promise<ResolvedView> {
    return await this.call('resolveName', [name, { timeout: options.timeout }], options.signal).result() as ResolvedView
  }

  async listNames (options: AbortOptions = {}): Promise<HeldView[]> {
    return await this.call('listNames', [], options.signal).result() as HeldView[]
  }

  async close (): Promise<void> {}
}

/** One request on its own connection: its replies, read in order. */
class Call {
  private readonly socket: Socket
  private readonly replies: AsyncGenerator<unknown>
  private buffered: Reply | undefined

  constructor (path: string, method: string, args: unknown[], signal: AbortSignal | undefined, input?: AsyncIterable<Uint8Array>) {
    this.socket = connect(path)
    this.socket.on('error', () => {}) // surfaced by the reads below
    const abort = (): void => { this.socket.destroy() }
    signal?.addEventListener('abort', abort, { once: true })
    this.socket.on('close', () => signal?.removeEventListener('abort', abort))
    this.replies = this.read(signal)
    void this.write(method, args, input)
  }

  private async write (method: string, args: unknown[], input: AsyncIterable<Uint8Array> | undefined): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => { this.socket.once('connect', resolve); this.socket.once('error', reject) })
      await send(this.socket, { method, args })
      if (input === undefined) return
      for await (const chunk of input) {
        for (let at = 0; at < chunk.byteLength; at += 1 << 20) await send(this.socket, { chunk: toBase64(chunk.subarray(at, at + (1 << 20))) })
      }
      await send(this.socket, { end: true })
    } catch {
      this.socket.destroy() // the read side reports why
    }
  }

  private async * read (signal: AbortSignal | undefined): AsyncGenerator<unknown> {
    try {
      for await (const reply of lines(this.socket)) yield reply
    } catch (err) {
      if (signal?.aborted === true) throw new RhizomeError('ERR_ABORTED', 'the operation was aborted', { cause: err })
      throw err
    }
    if (signal?.aborted === true) throw new RhizomeError('ERR_ABORTED', 'the operation was aborted')
  }

  private async next (): Promise<Reply> {
    if (this.buffered !== undefined) {
      const reply = this.buffered
      this.buffered = undefined
      return reply
    }
    const { value, done } = await this.replies.next()
    if (done === true) throw new RhizomeError('ERR_LIVE_CHANNEL', 'the process serving the database closed the live channel before answering')
    const reply = value as Reply
    if ('error' in reply) throw errorOf(reply.error)
    return reply
  }

  /** The meta reply, if the answer starts with one. */
  async meta (): Promise<unknown> {
    const reply = await this.next()
    if ('meta' in reply) return reply.meta
    this.buffered = reply
    return undefined
  }

  async * items (): AsyncGenerator<unknown> {
    try {
      while (true) {
        const reply = await this.next()
        if ('item' in reply) yield reply.item
        else return
      }
    } finally {
      this.socket.destroy()
    }
  }

  async result (): Promise<unknown> {
    try {
      while (true) {
        const reply = await this.next()
        if ('result' in reply) return reply.result
      }
    } finally {
      this.socket.destroy()
    }
  }
}

function commitOf (result: unknown): CommitResult {
  const r = result as { head?: string, added: number, removed: number }
  return { head: r.head === undefined || r.head === null ? undefined : CID.parse(r.head), added: r.added, removed: r.removed }
}

function errorOf (wire: { code: string, message: string, line?: number }): RhizomeError {
  if (wire.code === 'ERR_INVALID_RDF' && typeof wire.line === 'number') {
    const err = new InvalidRdfError('', wire.line)
    err.message = wire.message
    return err
  }
  return new RhizomeError(wire.code as ErrorCode, wire.message)
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> { yield bytes }

async function * bytesOf (data: RdfInput): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder()
  if (typeof data === 'string') { yield encoder.encode(data); return }
  if (data instanceof Uint8Array) { yield data; return }
  if (data instanceof URL) throw new RhizomeError('ERR_LIVE_CHANNEL', 'a URL cannot be imported through the live channel')
  for await (const chunk of data as AsyncIterable<string | Uint8Array>) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk
}
