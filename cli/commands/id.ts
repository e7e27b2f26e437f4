/**
 * `rhizome id`: prints this replica's writer key, creating the identity if needed;
 * `--mnemonic` prints it as a 24-word recovery phrase, `--restore` reads such a phrase
 * from stdin and makes it this folder's identity (the same writer, the same names).
 */
import type { Command } from 'commander'
import { identityFromMnemonic, identityToMnemonic, loadOrCreateIdentity, saveIdentity, writerId } from '../../index.js'
import { databaseFolder, folderExists } from '../database.js'
import { print, PREFIX } from '../output.js'

/** Longest phrase read from stdin: 24 words of at most 8 letters, with room for spaces and line breaks. */
const MAX_PHRASE_BYTES = 4096

export function registerId (program: Command): void {
  program.command('id')
    .description("print this replica's writer key (a did:key), creating it if needed")
    .option('--mnemonic', 'print the identity as a 24-word recovery phrase (BIP-39): keep it secret, it is the key')
    .option('--restore', 'read a recovery phrase from stdin and make it this folder\'s identity (refused if the folder has another)')
    .action(async (flags: { mnemonic?: boolean, restore?: boolean }, command: Command) => {
      if (flags.mnemonic === true && flags.restore === true) command.error('--mnemonic and --restore cannot be given together', { exitCode: 2, code: 'rhizome.conflictingOptions' })
      const folder = databaseFolder(command)
      folderExists(folder)
      if (flags.restore === true) {
        if (process.stdin.isTTY) process.stderr.write(`${PREFIX}type the 24 words, then Ctrl-D\n`)
        const keys = await identityFromMnemonic(await readPhrase())
        saveIdentity(folder, keys)
        print(writerId(keys.publicKey))
        return
      }
      const keys = loadOrCreateIdentity(folder)
      if (flags.mnemonic === true) {
        if (process.stdout.isTTY) process.stderr.write(`${PREFIX}this phrase is your key: anyone who has it can write as you and publish your names\n`)
        print(await identityToMnemonic(keys))
        return
      }
      print(writerId(keys.publicKey))
    })
}

async function readPhrase (): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8')
    if (text.length > MAX_PHRASE_BYTES) break
  }
  return text.slice(0, MAX_PHRASE_BYTES)
}
