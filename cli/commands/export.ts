/**
 * `rhizome export`: writes the database's quads to stdout. Which quads: with a quad
 * syntax (nq, trig) every graph's; with a triple syntax (nt, ttl), which cannot name
 * graphs, the default graph's, unless --graph names one or --union asks for all of them
 * merged (each triple once). Turtle and TriG declare the common prefixes the data uses
 * (a first pass over it) and group each subject's triples, and in TriG each graph's.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { COMMON_PREFIXES, factory, rdfFormat, RhizomeError, serializeRdf, usedPrefixes, WRITABLE_FORMATS, type RDF, type RdfFormat } from '../../index.js'
import { withGraph, type CliGraph } from '../database.js'
import { writeAll } from '../output.js'

interface ExportOptions {
  format: string
  graph?: string
  union?: boolean
}

const WRITE_FORMATS = 'nq, nt, ttl or trig'

function writableFormat (value: string): string {
  let format: RdfFormat
  try {
    format = rdfFormat(value)
  } catch (err) {
    if (err instanceof RhizomeError) throw new InvalidArgumentError(`expected ${WRITE_FORMATS}`)
    throw err
  }
  if (!WRITABLE_FORMATS.includes(format)) throw new InvalidArgumentError(`${value} is read by import but not written; expected ${WRITE_FORMATS}`)
  return value
}

export function registerExport (program: Command): void {
  program.command('export')
    .description('write the current quads to stdout')
    .option('-f, --format <format>', `${WRITE_FORMATS}; nt and ttl have no graph names, so they hold the default graph only unless --graph or --union is given`, writableFormat, 'nq')
    .option('-g, --graph <iri>', "only this graph's quads ('' for the default graph)")
    .option('--union', 'with nt or ttl: the triples of every graph, merged, each written once')
    .action(async (options: ExportOptions, command: Command) => {
      const format = rdfFormat(options.format)
      if (options.union === true && options.graph !== undefined) command.error('give --graph or --union, not both', { exitCode: 2, code: 'rhizome.usage' })
      const triples = format === 'ntriples' || format === 'turtle'
      // A triple syntax without --graph or --union: the default graph.
      const only = options.graph ?? (triples && options.union !== true ? '' : undefined)
      await withGraph(command, async (graph, signal) => {
        const quads = (): AsyncIterable<RDF.Quad> => format === 'trig' && only === undefined ? byGraph(graph, signal) : matching(graph, only, signal)
        const grouped = format === 'turtle' || format === 'trig'
        const prefixes = grouped ? await usedPrefixes(quads(), COMMON_PREFIXES, signal) : undefined
        await writeAll(serializeRdf(quads(), { format, prefixes, signal }))
      })
    })
}

function matching (graph: CliGraph, only: string | undefined, signal: AbortSignal): AsyncIterable<RDF.Quad> {
  if (only === '') return defaultGraph(graph, signal)
  return graph.match(undefined, undefined, undefined, only === undefined ? undefined : factory.namedNode(only), { signal })
}

/**
 * The default graph's quads in subject order. A pattern binding the default graph is
 * answered through an index that orders by object, which would scatter each subject's
 * triples; the full scan reads the store in subject order, and the other graphs' quads
 * are dropped here. Cost: the named graphs' quads are read too.
 */
async function * defaultGraph (graph: CliGraph, signal: AbortSignal): AsyncGenerator<RDF.Quad> {
  for await (const quad of graph.match(undefined, undefined, undefined, undefined, { signal })) {
    if (quad.graph.termType === 'DefaultGraph') yield quad
  }
}

/** Every quad, one graph after another (the default graph first), so TriG writes each graph in one block. */
async function * byGraph (graph: CliGraph, signal: AbortSignal): AsyncGenerator<RDF.Quad> {
  yield * defaultGraph(graph, signal)
  const result = await graph.query('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g', { signal })
  if (result.type !== 'bindings') return
  // The names first (few), then each graph's quads: one reader open at a time.
  const names: RDF.Term[] = []
  for await (const row of result) {
    const name = row.get('g')
    if (name !== undefined) names.push(name)
  }
  for (const name of names) yield * graph.match(undefined, undefined, undefined, name, { signal })
}
