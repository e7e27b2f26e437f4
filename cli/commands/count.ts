/** `rhizome count`: the number of quads in the database. */
import type { Command } from 'commander'
import { withGraph } from '../database.js'
import { print } from '../output.js'
import { formatNumber } from '../counts.js'

export function registerCount (program: Command): void {
  program.command('count')
    .description('print the number of quads, with thousands separators (624,718)')
    .action(async (_options: unknown, command: Command) => {
      await withGraph(command, async (graph, signal) => {
        print(formatNumber(await graph.size({ signal })))
      })
    })
}
