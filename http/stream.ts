/**
 * Writing a stream of text chunks as a response body, then ending it. Chunks are
 * gathered into writes of up to 64 KiB (one socket write per row would cost more than
 * the row) and flushed whenever the producer pauses: a flush is scheduled with
 * setImmediate, which runs only once the rows ready now have been taken, so a small
 * result goes out as one write with the end of the response, and a large one starts
 * arriving as soon as its first rows are made. The producer is pulled only while the
 * socket keeps up (backpressure), so a million-row result never sits whole in memory.
 * The caller's signal (client gone, timeout) stops the pull; leaving the loop calls the
 * iterator's `return`, which frees the query's resources.
 */
import type { ServerResponse } from 'node:http'
import { once } from 'node:events'

const FLUSH_CHARS = 64 * 1024

export async function pipeChunks (chunks: AsyncIterable<string>, res: ServerResponse, signal: AbortSignal): Promise<void> {
  let buffer: string[] = []
  let size = 0
  let scheduled: NodeJS.Immediate | undefined
  let blocked = false
  const take = (): string => {
    const text = buffer.join('')
    buffer = []
    size = 0
    return text
  }
  const flush = (): void => {
    scheduled = undefined
    if (size === 0 || res.destroyed) return
    if (!res.write(take())) blocked = true
  }
  try {
    for await (const chunk of chunks) {
      if (signal.aborted) return
      buffer.push(chunk)
      size += chunk.length
      if (size >= FLUSH_CHARS) {
        if (scheduled !== undefined) clearImmediate(scheduled)
        flush()
      } else {
        scheduled ??= setImmediate(flush)
      }
      if (blocked) {
        blocked = false
        await once(res, 'drain', { signal })
      }
    }
    if (scheduled !== undefined) clearImmediate(scheduled)
    scheduled = undefined
    res.end(take())
  } finally {
    if (scheduled !== undefined) clearImmediate(scheduled)
  }
}
