#!/usr/bin/env node
/**
 * The `rhizome` command line. Exit statuses: 0 success; 1 a failed operation (any
 * RhizomeError: rejected data, no database, a locked folder); 2 bad usage (an
 * unknown command or option, a missing argument); 130 interrupted by Ctrl-C.
 * Results go to stdout; diagnostics to stderr, one line each unless --verbose.
 */
import { CommanderError } from 'commander'
import { createProgram } from './program.js'
import { EXIT_USAGE, exitQuietlyOnClosedPipe, exitStatusOf, reportError } from './output.js'

exitQuietlyOnClosedPipe()
const program = createProgram()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed the usage error, or the help or version asked for.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE
  } else {
    reportError(err, program.opts().verbose === true)
    process.exitCode = exitStatusOf(err)
  }
}
