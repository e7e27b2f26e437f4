/**
 * The time limits of the network commands: each has a default, `--timeout <ms>` changes
 * it, and running past it ends the command with a coded error (exit 1) instead of
 * waiting forever for a peer that will never answer.
 */
import type { Command } from 'commander'
import { withTimeout } from '../index.js'
import { positiveInteger } from './sparql-text.js'

/** Default limits, ms, by command. */
export const NETWORK_TIMEOUTS = {
  /** `rhizome cat --peer`: the whole file. */
  cat: 60_000,
  /** `rhizome sync`: every pull. */
  sync: 300_000
} as const

/** Adds `--timeout <ms>` to a network command, naming its default. */
export function timeoutOption (command: Command, what: string, defaultMs: number): Command {
  return command.option('--timeout <ms>', `how long ${what} may take before the command gives up (default ${defaultMs})`, positiveInteger)
}

/**
 * Runs `fn` with `signal` limited to `ms`; when the limit (not the caller) stops it,
 * throws `onTimeout`'s error, with what stopped as the cause.
 */
export async function withNetworkTimeout<T> (signal: AbortSignal, ms: number, onTimeout: (cause: unknown) => Error, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const limited = withTimeout(signal, ms)
  // the limit also ends a wait that does not watch its signal
  const expired = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => { if (!signal.aborted) reject(onTimeout(limited.reason)) }
    if (limited.aborted) onAbort()
    else limited.addEventListener('abort', onAbort, { once: true })
  })
  expired.catch(() => {})
  return await Promise.race([fn(limited).catch(err => { throw limited.aborted && !signal.aborted ? onTimeout(err) : err }), expired])
}
