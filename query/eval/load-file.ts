/**
 * The default LOAD: reads a `file:` IRI inside a folder the caller allowed and parses
 * it by extension with N3.js (Turtle, TriG, N-Triples, N-Quads, Notation3). Other
 * schemes are not fetched: the engine makes no network requests unless the embedder
 * passes a loader.
 * Invariant: no file is read unless its path, symbolic links resolved, lies inside a
 * folder of `allowFiles` (none by default, so an update from the network reads
 * nothing); and no error message carries a byte of a file, only its line numbers:
 * a failed parse of /etc/passwd must not print its first line.
 */
import type * as RDF from '@rdfjs/types'
import { readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import type { Parser as N3Parser } from 'n3'
import { LoadError, LoadForbiddenError, QueryAbortedError } from '../errors.js'

const FORMATS: Record<string, string> = { ttl: 'text/turtle', trig: 'application/trig', nt: 'application/n-triples', nq: 'application/n-quads', n3: 'text/n3' }

/**
 * Parses a whole RDF document, the syntax chosen by its IRI's file extension, at
 * once and as written (no blank-node renaming, no storability checks; failures are
 * LoadErrors that name the line, never its text). Not quad-model's `parseRdf`, which
 * streams storable quads of a format it is told, for imports into the store.
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
    // N3's messages quote the offending text; only the line is kept, and not the cause.
    const line = /line (\d+)/.exec(e instanceof Error ? e.message : '')?.[1]
    throw new LoadError(iri, `not a valid ${format} document${line === undefined ? '' : ` (line ${line})`}`)
  }
}

export interface LoadFileOptions {
  signal?: AbortSignal | undefined
  /** Folders whose files LOAD may read; none (the default) refuses every file: IRI. */
  allowFiles?: readonly string[] | undefined
}

function inside (folder: string, file: string): boolean {
  const rel = path.relative(folder, file)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/** The file's real path, once it is known to lie inside an allowed folder. */
async function allowedPath (iri: string, allowFiles: readonly string[]): Promise<string> {
  let file: string
  try { file = fileURLToPath(iri) } catch { throw new LoadError(iri, 'not a local file IRI') }
  // First the path as written, without touching the file system, so that a refused
  // IRI learns nothing about what exists; then with symbolic links resolved.
  const folders = allowFiles.map(f => path.resolve(f))
  if (!folders.some(f => inside(f, path.resolve(file)))) throw new LoadForbiddenError(iri)
  let real: string
  try { real = await realpath(file) } catch (e) { throw new LoadError(iri, `cannot read the file (${(e as { code?: string }).code ?? 'error'})`) }
  const realFolders = await Promise.all(folders.map(async f => await realpath(f).catch(() => f)))
  if (!realFolders.some(f => inside(f, real))) throw new LoadForbiddenError(iri)
  return real
}

export async function loadFile (iri: string, options: LoadFileOptions = {}): Promise<RDF.Quad[]> {
  if (!iri.startsWith('file:')) throw new LoadError(iri, 'only file: IRIs can be loaded without a custom loader')
  const allowFiles = options.allowFiles ?? []
  if (allowFiles.length === 0) throw new LoadForbiddenError(iri)
  const file = await allowedPath(iri, allowFiles)
  let text: string
  try {
    text = await readFile(file, { encoding: 'utf8', signal: options.signal })
  } catch (e) {
    if (options.signal?.aborted === true) throw new QueryAbortedError({ cause: options.signal.reason })
    throw new LoadError(iri, `cannot read the file (${(e as { code?: string }).code ?? 'error'})`)
  }
  return parseRdfByExtension(text, iri)
}
