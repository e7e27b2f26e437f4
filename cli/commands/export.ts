/** `rhizome export`: writes the database's quads to stdout. */
import type { Command } from 'commander'
import { rdfFormat } from '../../index.js'
import { withGraph } from '../database.js'
import { writeAll } from '../output.js'

interface ExportOptions {
  format: string
  graph?: string
}

export function registerExport (program: Command): void {
  program.command('export')
    .description('write the current quads to stdout')
    .option('-f, --format <format>', 'nq, nt, ttl or trig (nt and ttl drop graph names)', 'nq')
    .option('-g, --graph <iri>', "only this graph's quads ('' for the default graph)")
    .action(async (options: ExportOptions, command: Command) => {
      const format = rdfFormat(options.format)
      await withGraph(command, async (graph, signal) => {
        await writeAll(graph.export({ format, graph: options.graph, signal }))
      })
    })
}
