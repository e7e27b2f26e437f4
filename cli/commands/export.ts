/**
 * `rhizome export`: writes the database's quads to stdout, as graph.export writes them
 * (graph/export.ts): with a quad syntax (nq, trig) every graph's; with a triple syntax
 * (nt, ttl), which cannot name graphs, the default graph's, unless --graph names one or
 * --union asks for all of them merged (each triple once). Turtle and TriG declare the
 * common prefixes the data uses and group each subject's triples, TriG each graph's.
 */
import { InvalidArgumentError, type Command } from 'commander'
import { rdfFormat, RhizomeError, WRITABLE_FORMATS, type RdfFormat } from '../../index.js'
import { withGraph } from '../database.js'
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
      if (options.union === true && options.graph !== undefined) command.error('give --graph or --union, not both', { exitCode: 2, code: 'rhizome.usage' })
      await withGraph(command, async (graph, signal) => {
        await writeAll(graph.export({ format: options.format, graph: options.graph, union: options.union, signal }))
      })
    })
}
