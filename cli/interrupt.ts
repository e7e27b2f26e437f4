/**
 * Ctrl-C, the same for every command: the first SIGINT aborts `interrupt.signal`, which
 * every command passes to what it runs (an open, a query, an import, a server's wait), and
 * the process then exits 130 however the command ended. A commit is atomic, so an
 * interrupted write leaves nothing half-done. Work that no signal reaches (a read of a
 * terminal's stdin) gets a short grace; a second Ctrl-C exits at once.
 *
 * SIGTERM aborts the same signal but is a request to stop, not an interruption: a server
 * (`serve`, `pin`) stopped by it closes its databases and exits 0.
 */
import { EXIT_INTERRUPTED } from './status.js'

/** How long a command may take to end after Ctrl-C before the process exits anyway. */
const GRACE_MS = 3_000

const controller = new AbortController()
let interrupted = false

export const interrupt = {
  /** Aborted by the first SIGINT or SIGTERM. */
  get signal (): AbortSignal { return controller.signal },
  /** True once Ctrl-C (SIGINT) was pressed. */
  get interrupted (): boolean { return interrupted }
}

/** Installs the handlers (main.ts, once). */
export function handleInterrupts (): void {
  const stop = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    if (signal === 'SIGINT') {
      interrupted = true
      process.exitCode = EXIT_INTERRUPTED
      process.once('SIGINT', () => process.exit(EXIT_INTERRUPTED))
      setTimeout(() => process.exit(EXIT_INTERRUPTED), GRACE_MS).unref()
    }
    controller.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
