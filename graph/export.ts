/**
 * What `graph.export` writes (and so `rhizome export`, the live channel's export and
 * anything else built on it): which quads, in which order, with which prefixes.
 *
 * - A quad syntax (N-Quads, TriG) holds every graph; TriG writes each graph in one
 *   block, the default graph first, then the named graphs in IRI order.
 * - A triple syntax (N-Triples, Turtle) cannot name graphs, so it holds **the default
 *   graph only**, unless `graph` names one or `union` asks for every graph merged (each
 *   triple written once, by the writer).
 * - Turtle and TriG group each subject's triples and declare the common prefixes
 *   (COMMON_PREFIXES) the data uses, found in a first pass, unless `prefixes` are given.
 */
import { COMMON_PREFIXES, factory, RhizomeError, serializeRdf, usedPrefixes, type RDF, type RdfFormat } from '../quad-model/index.js'

export interface ExportOptions {
  /** An IRI: that graph only; '': the default graph only. */
  graph?: string
  /** With a triple syntax: every graph's triples merged. Not with `graph`. */
  union?: boolean
  /** The prefixes Turtle and TriG declare. Default: the common ones the data uses. */
  prefixes?: Record<string, string>
  signal?: AbortSignal
}

/** The part of a graph an export reads. */
export interface ExportSource {
  match: (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null, options?: { signal?: AbortSignal }) => AsyncIterable<RDF.Quad>
  /** The named graphs' names, in IRI order. */
  graphNames: (signal?: AbortSignal) => Promise<RDF.Term[]>
}

export async function * exportRdf (source: ExportSource, format: RdfFormat, options: ExportOptions = {}): AsyncGenerator<string> {
  const { signal } = options
  if (options.union === true && options.graph !== undefined) throw new RhizomeError('ERR_INVALID_OPTIONS', 'an export takes graph or union, not both')
  const triples = format === 'ntriples' || format === 'turtle'
  const only = options.graph ?? (triples && options.union !== true ? '' : undefined)
  const quads = (): AsyncIterable<RDF.Quad> => format === 'trig' && only === undefined ? byGraph(source, signal) : matching(source, only, signal)
  const grouped = format === 'turtle' || format === 'trig'
  const prefixes = options.prefixes ?? (grouped ? await usedPrefixes(quads(), COMMON_PREFIXES, signal) : undefined)
  yield * serializeRdf(quads(), { format, prefixes, signal })
}

function matching (source: ExportSource, only: string | undefined, signal: AbortSignal | undefined): AsyncIterable<RDF.Quad> {
  if (only === '') return defaultGraph(source, signal)
  return source.match(undefined, undefined, undefined, only === undefined ? undefined : factory.namedNode(only), { signal })
}

/**
 * The default graph's quads in subject order. A pattern binding the default graph is
 * answered through an index that orders by object, which would scatter each subject's
 * triples; the full scan reads the store in subject order, and the other graphs' quads
 * are dropped here. Cost: the named graphs' quads are read too.
 */
async function * defaultGraph (source: ExportSource, signal: AbortSignal | undefined): AsyncGenerator<RDF.Quad> {
  for await (const quad of source.match(undefined, undefined, undefined, undefined, { signal })) {
    if (quad.graph.termType === 'DefaultGraph') yield quad
  }
}

/** Every quad, one graph after another (the default graph first), so TriG writes each graph in one block. */
async function * byGraph (source: ExportSource, signal: AbortSignal | undefined): AsyncGenerator<RDF.Quad> {
  yield * defaultGraph(source, signal)
  // The names first (few), then each graph's quads: one reader open at a time.
  for (const name of await source.graphNames(signal)) yield * source.match(undefined, undefined, undefined, name, { signal })
}
