/**
 * Gzip by its magic bytes (1f 8b), not by a file name: standard input, a stream or a
 * file not named .gz is gunzipped when it begins with them. RDF text never does (0x8b
 * cannot follow 0x1f in UTF-8), so the test is exact. Cost: the first chunk is held
 * until it has two bytes.
 */
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

const GZIP_MAGIC = [0x1f, 0x8b]

/** Whether `bytes` begins as a gzip stream does. */
export function isGzip (bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
}

/** `source` as it is, or gunzipped when its first bytes are gzip's magic. */
export function gunzipIfCompressed (source: Readable): Readable {
  return Readable.from(sniff(source))
}

async function * sniff (source: Readable): AsyncGenerator<string | Uint8Array> {
  const iterator = (source as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]()
  const head: Uint8Array[] = []
  let length = 0
  try {
    while (length < 2) {
      const next = await iterator.next()
      if (next.done === true) break
      if (typeof next.value === 'string') {
        // Text was given, not bytes: it is not compressed.
        yield * head
        yield next.value
        yield * rest(iterator)
        return
      }
      head.push(next.value)
      length += next.value.length
    }
    const first = head.length === 1 ? head[0] : Buffer.concat(head)
    if (!isGzip(first)) {
      if (first.length > 0) yield first
      yield * rest(iterator)
      return
    }
    // 64 KiB output chunks: with the default 16 KiB, per-chunk callbacks cost more than inflating.
    const gunzip = createGunzip({ chunkSize: 1 << 16 })
    // Waits for room, or for the gunzip to be gone (the reader stopped, or it failed).
    const room = async (): Promise<void> => await new Promise(resolve => {
      const done = (): void => {
        gunzip.off('drain', done)
        gunzip.off('close', done)
        resolve()
      }
      gunzip.on('drain', done)
      gunzip.on('close', done)
    })
    const feed = (async () => {
      try {
        if (!gunzip.write(first)) await room()
        for await (const chunk of rest(iterator)) {
          if (gunzip.destroyed) return
          if (!gunzip.write(chunk)) await room()
        }
        if (!gunzip.destroyed) gunzip.end()
      } catch (err) {
        gunzip.destroy(err as Error)
      }
    })()
    try {
      for await (const chunk of gunzip) yield chunk as Uint8Array
    } finally {
      gunzip.destroy()
      source.destroy()
      await feed
    }
  } finally {
    source.destroy()
  }
}

async function * rest (iterator: AsyncIterator<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  while (true) {
    const next = await iterator.next()
    if (next.done === true) return
    yield next.value
  }
}
