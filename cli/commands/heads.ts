/** `rhizome heads`: the commits no other commit names as a parent, one per line. */
import type { Command } from 'commander'
import { withGraph } from '../database.js'
import { print } from '../output.js'

export function registerHeads (program: Command): void {
  program.command('heads')
    .description('print the current heads (the latest commits), one CID per line')
    .action(async (_options: unknown, command: Command) => {
      await withGraph(command, async (graph, signal) => {
        for (const head of await graph.heads({ signal })) print(head.toString())
      })
    })
}
