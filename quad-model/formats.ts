/**
 * RDF syntaxes in and out: N-Quads, N-Triples, Turtle and TriG, parsed by N3.js;
 * RDF/XML and JSON-LD parsed by their RDF/JS streaming parsers (stream-parsers.ts).
 * Parsing is streaming; a syntax error becomes an InvalidRdfError naming the line, and
 * blank node labels are renamed through the write's BlankNodeScope. Input that begins
 * with gzip's magic bytes is gunzipped (gzip.ts). N-Quads and N-Triples are written by
 * N3.js, Turtle and TriG by rdf-writer.ts (grouped, with prefixes).
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type * as RDF from '@rdfjs/types'
import { factory, assertStorableQuad, termKey } from './terms.js'
import { BlankNodeScope } from './blank-nodes.js'
import { InvalidRdfError, RhizomeError, throwIfAborted } from './errors.js'
import { gunzipIfCompressed } from './gzip.js'
import { createStreamParser } from './stream-parsers.js'
import { writeGrouped } from './rdf-writer.js'

export type RdfFormat = 'nquads' | 'ntriples' | 'turtle' | 'trig' | 'rdfxml' | 'jsonld'

/** The formats serializeRdf writes (RDF/XML and JSON-LD are read only). */
export const WRITABLE_FORMATS: readonly RdfFormat[] = ['nquads', 'ntriples', 'turtle', 'trig']

export class UnknownFormatError extends RhizomeError {
  override name = 'UnknownFormatError'
  constructor (readonly format: string, readonly use: 'read' | 'written' = 'read') {
    super('ERR_UNKNOWN_FORMAT', use === 'read'
      ? `unknown RDF format "${format}" (expected nq, nt, ttl, trig, rdf or jsonld)`
      : `Rhizome does not write ${format} (it writes nq, nt, ttl and trig)`)
  }
}

/** The input could not be read (a missing file, a broken gzip stream): no fault of the RDF in it. */
export class InputReadError extends RhizomeError {
  override name = 'InputReadError'
  constructor (reason: string, options?: ErrorOptions) {
    super('ERR_READ_INPUT', `cannot read the input: ${reason}`, options)
  }
}

const FORMAT_NAMES: Record<string, RdfFormat> = {
  nquads: 'nquads',
  nq: 'nquads',
  'n-quads': 'nquads',
  'application/n-quads': 'nquads',
  ntriples: 'ntriples',
  nt: 'ntriples',
  'n-triples': 'ntriples',
  'application/n-triples': 'ntriples',
  turtle: 'turtle',
  ttl: 'turtle',
  'text/turtle': 'turtle',
  trig: 'trig',
  'application/trig': 'trig',
  rdfxml: 'rdfxml',
  rdf: 'rdfxml',
  owl: 'rdfxml',
  'rdf/xml': 'rdfxml',
  'application/rdf+xml': 'rdfxml',
  jsonld: 'jsonld',
  'json-ld': 'jsonld',
  'application/ld+json': 'jsonld'
}

const N3_FORMAT: Partial<Record<RdfFormat, string>> = { nquads: 'N-Quads', ntriples: 'N-Triples', turtle: 'Turtle', trig: 'TriG' }

/** The format a name, file extension or media type stands for. */
export function rdfFormat (name: string): RdfFormat {
  const format = FORMAT_NAMES[name.toLowerCase().replace(/^\./, '')]
  if (format === undefined) throw new UnknownFormatError(name)
  return format
}

/** The format a file name's extension gives, or undefined. */
export function formatOfPath (path: string): RdfFormat | undefined {
  const dot = path.lastIndexOf('.')
  const ext = path.slice(dot + 1).toLowerCase()
  const unzipped = ext === 'gz' ? path.slice(0, dot) : undefined
  if (unzipped !== undefined) return formatOfPath(unzipped)
  return FORMAT_NAMES[ext]
}

/** RDF text: a string, bytes, a stream or iterable of chunks, or a file: URL (gunzipped when it ends in .gz). */
export type RdfInput = string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> | ReadableStream<Uint8Array> | URL

export interface ParseOptions {
  format: RdfFormat
  baseIRI?: string
  /** Triples (and default-graph quads) go into this graph instead of the default graph. */
  graph?: RDF.NamedNode
  /** Renames blank node labels; a fresh scope is made when none is given. */
  blankNodes?: BlankNodeScope
  /** JSON-LD context documents by URL; a remote context is never fetched (stream-parsers.ts). */
  contexts?: Record<string, unknown>
  signal?: AbortSignal
}

function toNodeReadable (input: RdfInput): Readable {
  if (typeof input === 'string') return Readable.from([input])
  if (input instanceof Uint8Array) return gunzipIfCompressed(Readable.from([input]))
  if (input instanceof URL) {
    if (input.protocol !== 'file:') throw new InvalidRdfError(`cannot read ${input.href}: only file: URLs are read`)
    const file = createReadStream(input)
    if (!input.pathname.toLowerCase().endsWith('.gz')) return gunzipIfCompressed(file)
    // 64 KiB output chunks: with the default 16 KiB, per-chunk callbacks cost more than inflating.
    const gunzip = createGunzip({ chunkSize: 1 << 16 })
    file.on('error', err => gunzip.destroy(err))
    return file.pipe(gunzip)
  }
  if (typeof (input as ReadableStream).getReader === 'function') return gunzipIfCompressed(Readable.fromWeb(input as import('node:stream/web').ReadableStream<Uint8Array>))
  return gunzipIfCompressed(Readable.from(input as AsyncIterable<string | Uint8Array>))
}

/**
 * Parses RDF lazily into storable quads. Throws InvalidRdfError (with the line) for
 * malformed input or terms that cannot be stored, and AbortedError when aborted.
 */
export async function * parseRdf (input: RdfInput, options: ParseOptions): AsyncGenerator<RDF.Quad> {
  let batch: RDF.Quad[] = []
  for await (const _ of parseSteps(input, options, quad => { assertStorableQuad(quad); batch.push(quad) })) {
    const quads = batch
    batch = []
    yield * quads
  }
}

/**
 * Parses RDF, calling `onQuad` for each quad as N3 reads it: parseRdf for bulk work,
 * without a promise per quad. Blank nodes are renamed and the `graph` option
 * applied as in parseRdf, but the quads are not checked: `onQuad` must check them
 * (assertStorableQuad, or a cheaper check that relies on having seen the terms).
 * An InvalidRdfError thrown by `onQuad` gets the line being parsed; any error it
 * throws stops the parse and rejects. Errors otherwise as parseRdf's.
 */
export async function forEachParsedQuad (input: RdfInput, options: ParseOptions, onQuad: (quad: RDF.Quad) => void): Promise<void> {
  for await (const _ of parseSteps(input, options, onQuad)) { /* onQuad did the work */ }
}

interface FakeStream { on: (event: string, callback: (arg?: unknown) => void) => void }

/**
 * The parse loop: reads a chunk of input, lets N3 parse it synchronously (calling
 * `onQuad` for every quad in it), then yields, so a lazy consumer pulls input one
 * chunk at a time. N3's Parser is driven through its stream interface by hand
 * rather than through its StreamParser, whose object-mode stream costs a push and
 * a promise per quad, more than the parsing itself.
 */
/** Most characters (or bytes) given to a parser at once: the signal is looked at between slices. */
const FEED_SLICE = 64 * 1024
/** Longest a parse with a signal runs before it lets the event loop turn (so a timeout's timer can fire). */
const TURN_MS = 20

async function * parseSteps (input: RdfInput, options: ParseOptions, onQuad: (quad: RDF.Quad) => void): AsyncGenerator<void> {
  const scope = options.blankNodes ?? new BlankNodeScope()
  const intoGraph = options.graph
  const signal = options.signal
  const rename = (t: RDF.Term): RDF.Term => t.termType === 'BlankNode' ? factory.blankNode(scope.rename(t.value)) : t
  let feed: ((chunk: string | Uint8Array) => void) | undefined
  let finish: (() => void | Promise<void>) | undefined
  // The first error met, by N3 (malformed input) or by onQuad (its own, thrown as
  // it is); once one is met, the rest of the chunk is ignored.
  let failure: { error: unknown, ours: boolean } | undefined
  let count = 0
  const onParsed = (error: Error | null | undefined, parsed: RDF.Quad | null | undefined): void => {
    if (failure !== undefined) return
    if (error !== null && error !== undefined) { failure = { error, ours: false }; return }
    if (parsed === null || parsed === undefined) return
    try {
      if ((++count & 1023) === 0) throwIfAborted(signal)
      let quad = parsed
      const hasBlank = quad.subject.termType === 'BlankNode' || quad.object.termType === 'BlankNode' || quad.graph.termType === 'BlankNode'
      if (hasBlank || (intoGraph !== undefined && quad.graph.termType === 'DefaultGraph')) {
        quad = factory.quad(
          rename(quad.subject) as RDF.Quad_Subject,
          quad.predicate,
          rename(quad.object) as RDF.Quad_Object,
          (intoGraph !== undefined && quad.graph.termType === 'DefaultGraph' ? intoGraph : rename(quad.graph)) as RDF.Quad_Graph
        )
      }
      onQuad(quad)
    } catch (err) {
      failure = {
        error: err instanceof InvalidRdfError
          ? new InvalidRdfError(err.message.replace(/^line \d+: /, ''), line(), { cause: err })
          : err,
        ours: true
      }
    }
  }
  let line: () => number | undefined
  if (options.format !== 'rdfxml' && options.format !== 'jsonld') {
    const { Parser } = await import('n3')
    const parser = new Parser({ format: N3_FORMAT[options.format], baseIRI: options.baseIRI, blankNodePrefix: '' })
    // N3's lexer tracks the line it is on; as quads come out while their last token
    // is read, it is the line of the quad at hand.
    const lexer = (parser as unknown as { _lexer: { _line?: number } })._lexer
    line = () => lexer._line
    const stream: FakeStream = {
      on: (event, callback) => {
        if (event === 'data') feed = callback
        else if (event === 'end') finish = callback as () => void
      }
    }
    parser.parse(stream as never, { onQuad: onParsed as never })
  } else {
    const parser = await createStreamParser(options.format, options, quad => onParsed(null, quad), err => onParsed(err, null))
    feed = parser.feed
    finish = parser.finish
    line = parser.line
  }
  let source: Readable | undefined
  try {
    source = toNodeReadable(input)
    // N3 decodes bytes itself, keeping a character split between chunks for the
    // next one; a string after bytes would break such a character, so it goes as bytes too.
    let bytes = false
    let lastTurn = performance.now()
    for await (const whole of source as AsyncIterable<string | Uint8Array>) {
      // A long string is fed in slices, so the signal is looked at while it is parsed (a
      // surrogate pair split between slices is joined again by the parser's buffer).
      for (let at = 0; at < whole.length; at += FEED_SLICE) {
        const chunk = whole.length <= FEED_SLICE ? whole : typeof whole === 'string' ? whole.slice(at, at + FEED_SLICE) : whole.subarray(at, at + FEED_SLICE)
        if (typeof chunk === 'string' && bytes) feed!(Buffer.from(chunk))
        else {
          if (typeof chunk !== 'string') bytes = true
          feed!(chunk)
        }
        if (failure !== undefined) throw failure.error
        // Parsing a string is all synchronous: let timers (AbortSignal.timeout) run now and then.
        if (signal !== undefined && performance.now() - lastTurn > TURN_MS) {
          await new Promise(resolve => setTimeout(resolve, 0))
          lastTurn = performance.now()
        }
        throwIfAborted(signal)
        yield
      }
    }
    await finish!()
    if (failure !== undefined) throw failure.error
    yield
  } catch (err) {
    if (err instanceof RhizomeError || (failure?.ours === true && err === failure.error)) throw err
    const errno = (err as NodeJS.ErrnoException).code
    if (typeof errno === 'string' && (errno.startsWith('E') || errno.startsWith('Z_'))) throw new InputReadError((err as Error).message, { cause: err })
    const line = lineOf(err)
    throw new InvalidRdfError(stripLine((err as Error).message), line, { cause: err })
  } finally {
    source?.destroy()
  }
}

function lineOf (err: unknown): number | undefined {
  const context = (err as { context?: { line?: number } }).context
  if (typeof context?.line === 'number') return context.line
  const match = /on line (\d+)/.exec((err as Error).message)
  return match === null ? undefined : Number(match[1])
}

function stripLine (message: string): string {
  return message.replace(/ on line \d+\.?/, '').replace(/\.$/, '')
}

export interface SerializeOptions {
  format: RdfFormat
  prefixes?: Record<string, string>
  /** Drop repeats wherever they come, not only one after another (remembers every triple: memory grows with the output). */
  distinct?: boolean
  signal?: AbortSignal
}

/**
 * Writes quads in the given syntax, lazily, as chunks of text. A triple syntax drops
 * graph names, and writes a triple that comes twice in a row (from two graphs) once.
 */
export async function * serializeRdf (quads: AsyncIterable<RDF.Quad> | Iterable<RDF.Quad>, options: SerializeOptions): AsyncGenerator<string> {
  if (!WRITABLE_FORMATS.includes(options.format)) throw new UnknownFormatError(options.format, 'written')
  if (options.format === 'turtle' || options.format === 'trig') {
    yield * writeGrouped(quads, { format: options.format, prefixes: options.prefixes, distinct: options.distinct, signal: options.signal })
    return
  }
  const { StreamWriter } = await import('n3')
  const writer = new StreamWriter({ format: N3_FORMAT[options.format], prefixes: options.prefixes })
  const chunks: string[] = []
  writer.on('data', (chunk: string | Buffer) => chunks.push(chunk.toString()))
  let count = 0
  const triples = options.format === 'ntriples'
  let previous: RDF.Quad | undefined
  const written = options.distinct === true ? new Set<string>() : undefined
  for await (const quad of quads) {
    if ((++count & 1023) === 0) throwIfAborted(options.signal)
    if (written !== undefined) {
      const key = `${termKey(quad.subject)} ${termKey(quad.predicate)} ${termKey(quad.object)} ${triples ? '' : termKey(quad.graph)}`
      if (written.has(key)) continue
      written.add(key)
    }
    if (triples && quad.graph.termType !== 'DefaultGraph') {
      // Triple syntaxes have no graphs: write the triple, as N3.js would otherwise refuse it.
      const repeat = previous !== undefined && previous.subject.equals(quad.subject) && previous.predicate.equals(quad.predicate) && previous.object.equals(quad.object)
      previous = quad
      if (repeat) continue
      writer.write(factory.quad(quad.subject, quad.predicate, quad.object))
    } else {
      previous = quad
      writer.write(quad)
    }
    if (chunks.length > 0) yield chunks.splice(0).join('')
  }
  await new Promise<void>((resolve, reject) => {
    writer.on('end', resolve)
    writer.on('error', reject)
    writer.end()
  })
  if (chunks.length > 0) yield chunks.join('')
}
