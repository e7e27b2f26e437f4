/**
 * Lets the event loop turn once, so timers (an AbortSignal.timeout, a deadline) and I/O
 * can run between stretches of synchronous work: setImmediate in Node; a browser has
 * none (calling it there threw: a query of more than a few thousand steps, or a
 * catch-up past one window, failed), so a zero timeout there.
 */
export async function turnEventLoop (): Promise<void> {
  await new Promise<void>(resolve => {
    if (typeof setImmediate === 'function') setImmediate(resolve)
    else setTimeout(resolve, 0)
  })
}
