/**
 * The `rhizome` command tree. Global options (--db, --verbose) are read by each
 * command through optsWithGlobals. Usage errors go through commander's
 * exitOverride as CommanderErrors, so main.ts alone decides exit statuses.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { registerInit } from './commands/init.js'
import { registerId } from './commands/id.js'
import { registerImport } from './commands/import.js'
import { registerExport } from './commands/export.js'
import { registerHeads } from './commands/heads.js'
import { registerLog } from './commands/log.js'
import { registerCount } from './commands/count.js'
import { registerCar } from './commands/car.js'
import { registerQuery } from './commands/query.js'
import { registerUpdate } from './commands/update.js'
import { registerNetwork } from './commands/network.js'
import { registerFiles } from './commands/files.js'
import { PREFIX } from './output.js'

/** The package's version: dist/cli/program.js sits two folders below package.json. */
function packageVersion (): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return json.version
}

export function createProgram (): Command {
  const program = new Command('rhizome')
    .description('Rhizome: a peer-to-peer RDF graph database')
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--db <dir>', 'the database folder').env('RHIZOME_DB').default('./.rhizome'))
    .option('--verbose', 'show stack traces with errors')
    // Settings below are inherited by every command made with .command().
    .exitOverride()
    .configureOutput({
      // Commander's usage errors begin "error: "; ours all begin "rhizome: ".
      outputError: (text, write) => write(PREFIX + text.replace(/^error: /, ''))
    })
    .showSuggestionAfterError()
  registerInit(program)
  registerId(program)
  registerImport(program)
  registerExport(program)
  registerHeads(program)
  registerLog(program)
  registerCount(program)
  registerCar(program)
  registerQuery(program)
  registerUpdate(program)
  registerNetwork(program)
  registerFiles(program)
  return program
}
