/** `rhizome init`: creates a database in the folder and prints its address. */
import type { Command } from 'commander'
import { openGraph, parseWriterId, RhizomeError } from '../../index.js'
import { databaseFolder } from '../database.js'
import { DatabaseExistsError } from '../errors.js'
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
    .option('--writer <key>', 'another writer, as a did:key (repeat for more); this replica is always one', collect, [])
    .option('--open', 'let any key write, not only the listed writers')
    .action(async (options: InitOptions, command: Command) => {
      const folder = databaseFolder(command)
      // Rejected before anything is written to the folder.
      for (const key of options.writer) parseWriterId(key)
      await refuseExisting(folder)
      const graph = await openGraph({ path: folder, create: { name: options.name, writers: options.writer, open: options.open === true } })
      try {
        print(graph.address)
      } finally {
        await graph.close()
      }
    })
}

/**
 * openGraph with `create` opens a database that is already there, so look first.
 * (Another process could init the folder between the look and the create; the
 * lock makes that harmless but the second init would then not refuse.)
 */
async function refuseExisting (folder: string): Promise<void> {
  let address: string
  try {
    const graph = await openGraph({ path: folder, create: false })
    address = graph.address
    await graph.close()
  } catch (err) {
    if (err instanceof RhizomeError && err.code === 'ERR_NO_DATABASE') return
    throw err
  }
  throw new DatabaseExistsError(folder, address)
}

function collect (value: string, previous: string[]): string[] {
  return [...previous, value]
}
