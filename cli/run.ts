/**
 * The `rhizome` command line. Exit statuses (status.ts): 0 success; 1 a failed operation;
 * 2 bad usage; 130 interrupted by Ctrl-C (interrupt.ts). Results go to stdout;
 * diagnostics to stderr, one line each unless --verbose. Only the command run is loaded
 * (commands/index.ts), and the error reporting only when there is an error.
 */
import { CommanderError } from 'commander'
import { handleInterrupts, interrupt } from './interrupt.js'
import { createProgram } from './program.js'
import { EXIT_INTERRUPTED, EXIT_USAGE, PREFIX } from './status.js'

handleInterrupts()
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // A reader that stops early (`rhizome export | head`) closes the pipe: not an error.
  void import('./output.js').then(({ reportError, EXIT_FAILED }) => {
    if (err.code !== 'EPIPE') {
      reportError(err, false)
      process.exitCode = EXIT_FAILED
    }
    process.exit()
  })
})
const program = await createProgram()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed the usage error, or the help or version asked for.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE
  } else {
    const { reportError, exitStatusOf } = await import('./output.js')
    if (interrupt.interrupted) process.stderr.write(`${PREFIX}interrupted\n`)
    else reportError(err, program.opts().verbose === true)
    process.exitCode = exitStatusOf(err)
  }
}
if (interrupt.interrupted) {
  process.exitCode = EXIT_INTERRUPTED
  // A command that read standard input leaves it open, which would keep the process
  // alive until the grace timer; the command is over, so let it go.
  process.stdin.destroy()
}
