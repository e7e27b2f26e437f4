/** `rhizome import`: reads an RDF file into the database as one commit. */
import type { Command } from 'commander'
import { InvalidRdfError, type ImportResult } from '../../index.js'
import { withGraph } from '../database.js'
import { InputFileError } from '../errors.js'
import { counted } from '../counts.js'
import { inputFormat, openInput, readableFormat, READ_FORMATS, type ImportInput } from '../input.js'
import { print } from '../output.js'
import { ProgressBar } from '../progress.js'

interface ImportOptions {
  format?: string
  graph?: string
  base?: string
}

export function registerImport (program: Command): void {
  program.command('import')
    .description('import N-Quads, N-Triples, Turtle, TriG, RDF/XML or JSON-LD as one commit: all of it or, on any error, nothing')
    .argument('<file>', 'the file to read, or - for standard input (gzip is recognised by its first bytes, whatever the name)')
    .option('-f, --format <format>', `${READ_FORMATS} (default: from the file extension; needed for standard input)`, readableFormat)
    .option('-g, --graph <iri>', 'put triples and default-graph quads into this named graph')
    .option('--base <iri>', 'the base IRI for relative IRIs in the file')
    .addHelpText('after', '\nA JSON-LD document that names a remote @context is refused (ERR_REMOTE_CONTEXT):\nRhizome never fetches from the network while importing. Inline the context instead.')
    .action(async (file: string, options: ImportOptions, command: Command) => {
      if (file === '-' && options.format === undefined) command.error('reading standard input needs --format', { exitCode: 2, code: 'rhizome.formatRequired' })
      const input = await openInput(file, inputFormat(file, options.format))
      const bar = process.stderr.isTTY ? new ProgressBar(process.stderr, { total: input.size }) : undefined
      let result: ImportResult
      let before = 0
      let after = 0
      try {
        result = await withGraph(command, async (graph, signal) => {
          before = await graph.size({ signal })
          const imported = await graph.import(input.data, {
            format: input.format,
            graph: options.graph,
            baseIRI: options.base,
            // A small plain file takes the ordinary commit path (no worker thread to start).
            size: input.compressed ? undefined : input.size,
            signal,
            onProgress: bar === undefined ? undefined : reporter(bar, input)
          })
          after = await graph.size({ signal })
          return imported
        })
      } catch (err) {
        // Name the input beside the line the parser reports.
        if (err instanceof InvalidRdfError && err.line !== undefined) throw new InputFileError(file === '-' ? 'standard input' : file, err.message, { cause: err })
        throw err
      } finally {
        bar?.clear()
        input.close()
      }
      // An import only adds, so the count tells how many quads were new. (Cost: two COUNT(*)
      // of the store's quads, a small part of an import's time.)
      const added = after - before
      if (added === 0 && result.quads > 0) print(`imported ${counted(result.quads, 'quad')}: all were already in the database, nothing changed`)
      else if (added === result.quads) print(`imported ${counted(result.quads, 'quad')}`)
      else print(`imported ${counted(result.quads, 'quad')}, ${counted(added, 'new one')}`)
      print(result.head === undefined ? 'nothing to commit' : `head ${result.head.toString()}`)
    })
}

function reporter (bar: ProgressBar, input: ImportInput): (quads: number) => void {
  return quads => bar.update(quads, input.bytesRead())
}
