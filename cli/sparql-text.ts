/**
 * Where `rhizome query` and `rhizome update` read their SPARQL from: --file F, the
 * argument, or standard input when the argument is `-`. Exactly one.
 */
import { readFile } from 'node:fs/promises'
import { text as readText } from 'node:stream/consumers'
import { InvalidArgumentError, type Command } from 'commander'
import { InputFileError } from './errors.js'

export async function sparqlText (command: Command, argument: string | undefined, file: string | undefined): Promise<string> {
  if (file !== undefined && argument !== undefined) throw command.error('give the SPARQL text as an argument or with --file, not both', { exitCode: 2, code: 'rhizome.usage' })
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8')
    } catch (err) {
      throw new InputFileError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, { cause: err })
    }
  }
  if (argument === '-') return await readText(process.stdin)
  if (argument === undefined || argument.trim() === '') throw command.error('missing the SPARQL text (an argument, - for standard input, or --file)', { exitCode: 2, code: 'rhizome.usage' })
  return argument
}

/** Parses a positive integer option. */
export function positiveInteger (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer')
  return n
}
