/**
 * The `rhizome` command tree. Global options (--db, --verbose) are read by each
 * command through optsWithGlobals. Usage errors go through commander's
 * exitOverride as CommanderErrors, so main.ts alone decides exit statuses.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { registerCommands } from './commands/index.js'
import { PREFIX } from './status.js'

/** The package's version: dist/cli/program.js sits two folders below package.json. */
function packageVersion (): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return json.version
}

/** Global options that take a value (so the word after them is not the command). */
const VALUED = new Set(['--db'])

/**
 * The command `args` (process.argv without node and the script) runs: its first word
 * that is not an option; null when only the version is asked for; undefined for help.
 */
export function commandOf (args: readonly string[]): string | null | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--') return args[i + 1]
    if (arg === '-h' || arg === '--help') return undefined
    if (arg === '-V' || arg === '--version') return null
    if (VALUED.has(arg)) i++
    else if (!arg.startsWith('-')) return arg
  }
  return undefined
}

export async function createProgram (args: readonly string[] = process.argv.slice(2)): Promise<Command> {
  const program = new Command('rhizome')
    .description('Rhizome: a peer-to-peer RDF graph database')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--db <dir>', 'the database folder').env('RHIZOME_DB').default('./.rhizome'))
    .option('--read-only', 'open the database for queries and exports only: nothing in its folder is written (the default for a folder you cannot write)')
    .option('--verbose', 'show stack traces with errors')
    // Settings below are inherited by every command made with .command().
    .exitOverride()
    .configureOutput({
      // Commander's usage errors begin "error: "; ours all begin "rhizome: ".
      outputError: (text, write) => write(PREFIX + text.replace(/^error: /, ''))
    })
    .showSuggestionAfterError()
  await registerCommands(program, commandOf(args))
  return program
}
