/** `rhizome log`: commits, newest first, for people or (--format json) for programs. */
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { LogEntry } from '../../index.js'
import { withGraph } from '../database.js'
import { print } from '../output.js'

interface LogOptions {
  format: 'text' | 'json'
  maxCount?: number
}

export function registerLog (program: Command): void {
  program.command('log')
    .description('list commits, newest first: CID, author, time, quads added and removed, parents')
    .addOption(new Option('--format <format>', 'text for people, json for programs').choices(['text', 'json']).default('text'))
    .option('-n, --max-count <n>', 'show at most n commits (default: all)', positiveInteger)
    .action(async (options: LogOptions, command: Command) => {
      await withGraph(command, async (graph, signal) => {
        const entries = await graph.log({ limit: options.maxCount ?? Number.MAX_SAFE_INTEGER, signal })
        if (options.format === 'json') print(JSON.stringify(entries.map(toJson), null, 2))
        else if (entries.length > 0) print(entries.map(toText).join('\n\n'))
      })
    })
}

function toJson (entry: LogEntry): object {
  return {
    cid: entry.cid.toString(),
    author: entry.author,
    time: new Date(entry.time).toISOString(),
    height: entry.height,
    added: entry.added,
    removed: entry.removed,
    parents: entry.parents.map(p => p.toString())
  }
}

function toText (entry: LogEntry): string {
  const lines = [
    `commit  ${entry.cid.toString()}`,
    `author  ${entry.author}`,
    `time    ${new Date(entry.time).toISOString()}`,
    `quads   +${entry.added} -${entry.removed}`
  ]
  for (const parent of entry.parents) lines.push(`parent  ${parent.toString()}`)
  return lines.join('\n')
}

function positiveInteger (value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number')
  return n
}
