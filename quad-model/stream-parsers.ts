/**
 * RDF/XML and JSON-LD, read by the RDF/JS streaming parsers made for them
 * (rdfxml-streaming-parser, jsonld-streaming-parser), behind the same push interface
 * formats.ts drives N3's parser through: feed a chunk, quads come out through a
 * callback, finish at the end. Both libraries are loaded on first use, so importing
 * Rhizome loads neither.
 *
 * JSON-LD and the network: a document may name a remote `@context` by URL. Fetching
 * it would let a file make the importing process open connections of the file's
 * choosing (and hang on, or be fed by, a server the user never named), so no context
 * is fetched: such a document fails with ERR_REMOTE_CONTEXT unless the caller gives the
 * context documents (`contexts`, by URL). Inline contexts always work.
 */
import type * as RDF from '@rdfjs/types'
import { InvalidRdfError, RhizomeError } from './errors.js'

/** The syntaxes read here. */
export type StreamSyntax = 'rdfxml' | 'jsonld'

/** A JSON-LD document names a remote context that was neither given nor allowed to be fetched. */
export class RemoteContextError extends RhizomeError {
  override name = 'RemoteContextError'
  constructor (readonly url: string) {
    super('ERR_REMOTE_CONTEXT', `the JSON-LD document names the remote context ${url}, which Rhizome does not fetch (inline it, or give it as a context document)`)
  }
}

export interface StreamParserOptions {
  baseIRI?: string
  /** JSON-LD context documents by URL, used instead of fetching them (which is never done). */
  contexts?: Record<string, unknown>
}

export interface PushParser {
  /** Parses a chunk; its quads (and any error) come out through the callbacks. */
  feed: (chunk: string | Uint8Array) => void
  /** Ends the input; resolves when the last quad has come out, rejects on a syntax error. */
  finish: () => Promise<void>
  /** The line being read, when the parser tracks it. */
  line: () => number | undefined
}

/** What both libraries' parsers are: RDF/JS Sinks that are also Node-style Transform streams. */
interface RdfJsTransform {
  on: (event: string, listener: (arg: never) => void) => unknown
  write: (chunk: string | Uint8Array) => boolean
  end: () => void
}

/**
 * A parser for `syntax` calling `onQuad(quad)` for each quad and `onError(err)` once
 * for the first error (an InvalidRdfError with the line where known, or a
 * RemoteContextError); nothing comes out after an error.
 */
export async function createStreamParser (
  syntax: StreamSyntax, options: StreamParserOptions, onQuad: (quad: RDF.Quad) => void, onError: (err: Error) => void
): Promise<PushParser> {
  let failed = false
  let ended: (() => void) | undefined
  let refused: RemoteContextError | undefined
  let parser: RdfJsTransform
  let line: () => number | undefined = () => undefined
  let toError: (err: Error) => Error
  if (syntax === 'rdfxml') {
    const { RdfXmlParser } = await import('rdfxml-streaming-parser')
    const xml = new RdfXmlParser({ baseIRI: options.baseIRI, trackPosition: true })
    parser = xml as unknown as RdfJsTransform
    const sax = (xml as unknown as { saxParser?: { line?: number } }).saxParser
    line = () => sax?.line
    // saxes begins its messages "LINE:COLUMN: ".
    toError = err => {
      const match = /^(\d+):(\d+): /.exec(err.message)
      return new InvalidRdfError(`RDF/XML: ${match === null ? err.message : err.message.slice(match[0].length)}`, match === null ? line() : Number(match[1]), { cause: err })
    }
  } else {
    const { JsonLdParser } = await import('jsonld-streaming-parser')
    const contexts = options.contexts ?? {}
    parser = new JsonLdParser({
      baseIRI: options.baseIRI,
      documentLoader: {
        load: async (url: string) => {
          if (Object.hasOwn(contexts, url)) return contexts[url] as never
          refused ??= new RemoteContextError(url)
          throw refused
        }
      }
    }) as unknown as RdfJsTransform
    toError = err => refused ?? new InvalidRdfError(`JSON-LD: ${err.message}`, undefined, { cause: err })
  }
  const fail = (err: Error): void => {
    if (failed) return
    failed = true
    onError(toError(err))
    ended?.()
  }
  parser.on('data', (quad: RDF.Quad) => { if (!failed) onQuad(quad) })
  parser.on('error', fail)
  const end = new Promise<void>(resolve => {
    ended = resolve
    parser.on('end', () => resolve())
  })
  // Bytes are decoded here, so a character split between two chunks is kept whole.
  const decoder = new TextDecoder('utf-8', { fatal: true })
  return {
    feed: chunk => {
      if (failed) return
      try {
        parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
      } catch (err) {
        fail(err as Error)
      }
    },
    finish: async () => {
      if (!failed) {
        try {
          const tail = decoder.decode()
          if (tail !== '') parser.write(tail)
        } catch (err) {
          fail(err as Error)
        }
      }
      if (!failed) parser.end()
      await end
    },
    line
  }
}
