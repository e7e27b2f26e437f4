/**
 * Writing a stream of text chunks to a response: chunks are gathered into writes of
 * about 64 KiB (one socket write per row would cost more than the row), flushed at
 * once for the header and first row and whenever the producer pauses, and the producer is
 * pulled only while the socket keeps up (backpressure), so a million-row result
 * never sits whole in memory. The caller's signal (client gone, timeout) stops the
 * pull; the iterator's `return` then frees the query's resources.
 */
import type { ServerResponse } from 'node:http'
import { once } from 'node:events'

const FLUSH_BYTES = 64 * 1024
const PAUSE_MS = 10

export async function pipeChunks (chunks: AsyncIterable<string>, res: ServerResponse, signal: AbortSignal): Promise<void> {
  let buffer: string[] = []
  let size = 0
  let timer: NodeJS.Timeout | undefined
  let count = 0
  const flush = (): boolean => {
    if (timer !== undefined) { clearTimeout(timer); timer = undefined }
    if (size === 0 || res.destroyed) return true
    const text = buffer.join('')
    buffer = []
    size = 0
    return res.write(text)
  }
  try {
    for await (const chunk of chunks) {
      if (signal.aborted) break
      buffer.push(chunk)
      size += chunk.length
      // The first two chunks (the header, then the first row) go out at once.
      if (count++ < 2 || size >= FLUSH_BYTES) {
        if (!flush()) await once(res, 'drain', { signal })
      } else if (timer === undefined) {
        timer = setTimeout(flush, PAUSE_MS)
      }
    }
    flush()
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
}
