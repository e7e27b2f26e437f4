/** Shared by the Comunica query runners: counting a bindings stream, stoppable. */

interface BindingsStream {
  on: (event: string, listener: (arg?: unknown) => void) => unknown
  destroy: (cause?: Error) => void
}

/** Counts the bindings of a Comunica result stream; an abort destroys the stream. */
export async function countBindings (stream: BindingsStream, signal: AbortSignal): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    let n = 0
    const stop = (): void => { stream.destroy(); reject(signal.reason) }
    if (signal.aborted) { stop(); return }
    signal.addEventListener('abort', stop, { once: true })
    stream.on('data', () => { n++ })
    stream.on('error', (err) => { signal.removeEventListener('abort', stop); reject(err) })
    stream.on('end', () => { signal.removeEventListener('abort', stop); resolve(n) })
  })
}
