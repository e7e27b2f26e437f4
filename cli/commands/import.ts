/** `rhizome import`: reads an RDF file into the database as one commit. */
import type { Command } from 'commander'
import { InvalidRdfError, type ImportResult } from '../../index.js'
import { withGraph } from '../database.js'
import { InputFileError } from '../errors.js'
import { inputFormat, openInput, type ImportInput } from '../input.js'
import { print } from '../output.js'
import { ProgressBar } from '../progress.js'

interface ImportOptions {
  format?: string
  graph?: string
  base?: string
}

export function registerImport (program: Command): void {
  program.command('import')
    .description('import N-Quads, N-Triples, Turtle or TriG as one commit: all of it or, on any error, nothing')
    .argument('<file>', 'the file to read (gunzipped if it ends in .gz), or - for standard input')
    .option('-f, --format <format>', 'nq, nt, ttl or trig (default: from the file extension)')
    .option('-g, --graph <iri>', 'put triples and default-graph quads into this named graph')
    .option('--base <iri>', 'the base IRI for relative IRIs in the file')
    .action(async (file: string, options: ImportOptions, command: Command) => {
      if (file === '-' && options.format === undefined) command.error('reading standard input needs --format', { exitCode: 2, code: 'rhizome.formatRequired' })
      const input = await openInput(file, inputFormat(file, options.format))
      const bar = process.stderr.isTTY ? new ProgressBar(process.stderr, { total: input.size }) : undefined
      let result: ImportResult
      try {
        result = await withGraph(command, async (graph, signal) => await graph.import(input.data, {
          format: input.format,
          graph: options.graph,
          baseIRI: options.base,
          // A small plain file takes the ordinary commit path (no worker thread to start).
          size: file.toLowerCase().endsWith('.gz') ? undefined : input.size,
          signal,
          onProgress: bar === undefined ? undefined : reporter(bar, input)
        }))
      } catch (err) {
        // Name the input beside the line the parser reports.
        if (err instanceof InvalidRdfError && err.line !== undefined) throw new InputFileError(file === '-' ? 'standard input' : file, err.message, { cause: err })
        throw err
      } finally {
        bar?.clear()
        input.close()
      }
      print(`imported ${result.quads} ${result.quads === 1 ? 'quad' : 'quads'}`)
      print(result.head === undefined ? 'nothing to commit' : `head ${result.head.toString()}`)
    })
}

function reporter (bar: ProgressBar, input: ImportInput): (quads: number) => void {
  return quads => bar.update(quads, input.bytesRead())
}
