/**
 * The default LOAD: reads a `file:` IRI and parses it by extension with N3.js
 * (Turtle, TriG, N-Triples, N-Quads, Notation3). Other schemes are not fetched:
 * the engine makes no network requests unless the embedder passes a loader.
 */
import type * as RDF from '@rdfjs/types'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import type { Parser as N3Parser } from 'n3'
import { LoadError } from '../errors.js'

const FORMATS: Record<string, string> = { ttl: 'text/turtle', trig: 'application/trig', nt: 'application/n-triples', nq: 'application/n-quads', n3: 'text/n3' }

/**
 * Parses a whole RDF document, the syntax chosen by its IRI's file extension, at
 * once and as written (no blank-node renaming, no storability checks; failures are
 * LoadErrors). Not quad-model's `parseRdf`, which streams storable quads of a
 * format it is told, for imports into the store.
 */
export function parseRdfByExtension (text: string, iri: string, baseIRI: string = iri): RDF.Quad[] {
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(iri).pathname)?.[1]?.toLowerCase() ?? 'ttl'
  const format = FORMATS[ext]
  if (format === undefined) throw new LoadError(iri, `unsupported file type .${ext}`)
  try {
    // N3's parser is required on first use, not at start-up (see quad-model/terms.ts).
    const { Parser } = createRequire(import.meta.url)('n3') as { Parser: typeof N3Parser }
    return new Parser({ format, baseIRI }).parse(text) as RDF.Quad[]
  } catch (e) {
    throw new LoadError(iri, e instanceof Error ? e.message : String(e), { cause: e })
  }
}

export async function loadFile (iri: string, options: { signal?: AbortSignal } = {}): Promise<RDF.Quad[]> {
  if (!iri.startsWith('file:')) throw new LoadError(iri, 'only file: IRIs can be loaded without a custom loader')
  let text: string
  try {
    text = await readFile(fileURLToPath(iri), { encoding: 'utf8', signal: options.signal })
  } catch (e) {
    throw new LoadError(iri, e instanceof Error ? e.message : String(e), { cause: e })
  }
  return parseRdfByExtension(text, iri)
}
