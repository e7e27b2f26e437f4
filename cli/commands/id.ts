/** `rhizome id`: prints this replica's writer key, creating the identity if needed. */
import type { Command } from 'commander'
import { loadOrCreateIdentity, writerId } from '../../index.js'
import { databaseFolder, folderExists } from '../database.js'
import { print } from '../output.js'

export function registerId (program: Command): void {
  program.command('id')
    .description("print this replica's writer key (a did:key), creating it if needed")
    .action((_options: unknown, command: Command) => {
      const folder = databaseFolder(command)
      folderExists(folder)
      print(writerId(loadOrCreateIdentity(folder).publicKey))
    })
}
