/**
 * The line protocol of the sync benchmark's long-lived children (sync-rhizome.ts,
 * sync-orbitdb.ts): each prints JSON events on stdout, one per line, takes commands on
 * stdin, one per line, and exits when stdin closes. Timestamps are wall-clock
 * milliseconds with a fraction (performance.timeOrigin + performance.now()), comparable
 * across processes on one machine.
 */
import { createInterface } from 'node:readline'

export function say (event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

export function now (): number {
  return performance.timeOrigin + performance.now()
}

/** Calls `onCommand` for each stdin line, in order; resolves when stdin closes. */
export async function commands (onCommand: (line: string) => Promise<void>): Promise<void> {
  let chain = Promise.resolve()
  await new Promise<void>(resolve => {
    createInterface({ input: process.stdin })
      .on('line', line => { chain = chain.then(async () => await onCommand(line)) })
      .on('close', resolve)
  })
  await chain
}

/** The child's argument `name` (from the JSON after its role); `fallback` when absent, else an error. */
export function arg<T> (name: string, fallback?: T): T {
  const args = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>
  if (args[name] === undefined || args[name] === null) {
    if (fallback !== undefined || arguments.length > 1) return fallback as T
    throw new Error(`missing argument ${name}`)
  }
  return args[name] as T
}
