/** `rhizome init`: creates a database in the folder and prints its address. */
import type { Command } from 'commander'
import { openGraph } from '../../index.js'
import { writerList } from '../arguments.js'
import { databaseFolder, folderExists } from '../database.js'
import { print } from '../output.js'

interface InitOptions {
  name?: string
  writer: string[]
  open?: boolean
}

export function registerInit (program: Command): void {
  program.command('init')
    .description('create a database in the --db folder and print its address')
    .option('--name <name>', 'a name for people (not unique)')
    .option('--writer <key>', 'another writer, as a did:key (repeat for more); this replica is always one', writerList, [])
    .option('--open', 'let any key write, not only the listed writers')
    .action(async (options: InitOptions, command: Command) => {
      const folder = databaseFolder(command)
      folderExists(folder)
      const graph = await openGraph({ path: folder, create: { name: options.name, writers: options.writer, open: options.open === true, exclusive: true } })
      try {
        print(graph.address)
      } finally {
        await graph.close()
      }
    })
}
