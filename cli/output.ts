/**
 * What the command line writes: results for people (and scripts) on stdout,
 * diagnostics on stderr, each error as one line prefixed `rhizome: `.
 */
import { once } from 'node:events'
import { RhizomeError } from '../index.js'
import { EXIT_FAILED, EXIT_INTERRUPTED, PREFIX } from './status.js'

export { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, PREFIX } from './status.js'

/** Writes one line of results to stdout. */
export function print (line: string): void {
  process.stdout.write(line + '\n')
}

/** Writes a stream of chunks, waiting whenever the reader falls behind. */
export async function writeAll (chunks: AsyncIterable<string | Uint8Array>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  for await (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain')
  }
}

/** The exit status an operation's error calls for. */
export function exitStatusOf (err: unknown): number {
  return err instanceof RhizomeError && err.code === 'ERR_ABORTED' ? EXIT_INTERRUPTED : EXIT_FAILED
}

/**
 * Reports a failed operation on stderr: one line naming the problem, or with
 * `verbose` the stack and the chain of causes.
 */
export function reportError (err: unknown, verbose: boolean): void {
  const message = err instanceof Error ? err.message : String(err)
  // An error that is not a RhizomeError is one the core did not expect: say so.
  const kind = err instanceof RhizomeError || isSystemError(err) ? '' : 'unexpected error: '
  process.stderr.write(PREFIX + kind + firstLine(message) + '\n')
  if (!verbose) return
  let cause: unknown = err
  while (cause !== undefined) {
    process.stderr.write((cause instanceof Error ? cause.stack ?? cause.message : String(cause)) + '\n')
    cause = cause instanceof Error ? cause.cause : undefined
    if (cause !== undefined) process.stderr.write('caused by: ')
  }
}

function isSystemError (err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string'
}

function firstLine (message: string): string {
  const end = message.indexOf('\n')
  return end < 0 ? message : message.slice(0, end)
}
