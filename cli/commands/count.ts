/** `rhizome count`: the number of quads in the database. */
import type { Command } from 'commander'
import { withGraph } from '../database.js'
import { print } from '../output.js'

export function registerCount (program: Command): void {
  program.command('count')
    .description('print the number of quads')
    .action(async (_options: unknown, command: Command) => {
      await withGraph(command, async (graph, signal) => {
        print(String(await graph.size({ signal })))
      })
    })
}
