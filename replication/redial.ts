/**
 * Peers a long-running replica was told to keep (`rhizome serve --peer`, `rhizome pin
 * --peer`): offline first, a peer that cannot be reached now is not a reason to stop.
 * Each kept address is dialled; a failure is reported and the address dialled again
 * after a backoff that doubles from one second to a minute (with jitter, so replicas
 * restarted together do not dial in step); a connection that is up is looked at every
 * few seconds and dialled again when it dropped. Everything stops with the signal.
 *
 * libp2p's own reconnect queue redials a dropped keep-alive peer only a few times,
 * and never one that was not reached once; this outlives both.
 */

export interface RedialFailure {
  address: string
  /** Failed attempts in a row, this one included. */
  attempt: number
  /** When the next attempt is, ms from now. */
  retryInMs: number
  error: unknown
}

export interface RedialOptions {
  /** Dials the address; rejects when it cannot be reached. */
  dial: (address: string, signal: AbortSignal) => Promise<void>
  /** Whether a connection to the address's peer is open. */
  connected: (address: string) => boolean
  onFailure: (failure: RedialFailure) => void
  signal: AbortSignal
  /** Numbers in [0, 1) for the jitter. */
  random: () => number
  /** First backoff, ms. Default 1,000. */
  minMs?: number
  /** Longest backoff, ms. Default 60,000. */
  maxMs?: number
  /** How often an open connection is looked at, ms. Default 5,000. */
  checkMs?: number
}

export class Redialer {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  constructor (private readonly options: RedialOptions) {
    options.signal.addEventListener('abort', () => {
      for (const timer of this.timers) clearTimeout(timer)
      this.timers.clear()
    }, { once: true })
  }

  /** Keeps `address` connected from now on. */
  keep (address: string): void {
    this.later(address, 0, 0)
  }

  private later (address: string, ms: number, failures: number): void {
    if (this.options.signal.aborted) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void this.attempt(address, failures)
    }, ms)
    // A timer waiting to dial again never keeps the process alive.
    timer.unref?.()
    this.timers.add(timer)
  }

  private async attempt (address: string, failures: number): Promise<void> {
    const { signal, checkMs = 5_000 } = this.options
    if (signal.aborted) return
    if (this.options.connected(address)) {
      this.later(address, checkMs, 0)
      return
    }
    try {
      await this.options.dial(address, signal)
      this.later(address, checkMs, 0)
    } catch (error) {
      if (signal.aborted) return
      const { minMs = 1_000, maxMs = 60_000 } = this.options
      const base = Math.min(maxMs, minMs * 2 ** failures)
      const retryInMs = Math.round(base * (0.75 + 0.5 * this.options.random()))
      this.options.onFailure({ address, attempt: failures + 1, retryInMs, error })
      this.later(address, retryInMs, failures + 1)
    }
  }
}
