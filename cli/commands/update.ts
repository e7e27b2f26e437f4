/** `rhizome update`: runs a SPARQL 1.1 Update request as one commit. */
import type { Command } from 'commander'
import { withGraph } from '../database.js'
import { print } from '../output.js'
import { counted, formatNumber } from '../counts.js'
import { sparqlText } from '../sparql-text.js'

interface UpdateCommandOptions {
  file?: string
  allowFile?: string[]
}

export function registerUpdate (program: Command): void {
  program.command('update')
    .description('run a SPARQL 1.1 Update request as one signed commit and print the new head')
    .argument('[update]', 'the update text, or - to read it from standard input')
    .option('--file <file>', 'read the update from a file')
    .option('--allow-file <dir>', 'let LOAD <file:…> read files inside this folder (repeatable; default: LOAD reads no local file)',
      (value: string, previous: string[] = []) => [...previous, value])
    .action(async (argument: string | undefined, options: UpdateCommandOptions, command: Command) => {
      const text = await sparqlText(command, argument, options.file)
      await withGraph(command, async (graph, signal) => {
        const result = await graph.update(text, { signal, allowFiles: options.allowFile ?? [] })
        if (result.head === undefined) {
          print('no change: nothing committed')
        } else {
          print(`committed ${String(result.head)}: ${counted(result.added, 'quad')} added, ${formatNumber(result.removed)} removed`)
        }
      })
    })
}
