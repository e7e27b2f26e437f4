/**
 * node:stream in the browser build: only `Readable.from` and `Readable.fromWeb`, which
 * quad-model/formats.ts uses to read RDF input as an async iterable of chunks.
 */
type Chunk = string | Uint8Array

class IterableSource implements AsyncIterable<Chunk> {
  private stop: (() => void) | undefined
  constructor (private readonly source: AsyncIterable<Chunk> | Iterable<Chunk>, stop?: () => void) { this.stop = stop }
  async * [Symbol.asyncIterator] (): AsyncGenerator<Chunk> { yield * this.source }
  destroy (): void { this.stop?.(); this.stop = undefined }
}

async function * chunksOf (stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

export const Readable = {
  from: (source: AsyncIterable<Chunk> | Iterable<Chunk>) => new IterableSource(source),
  fromWeb: (stream: ReadableStream<Uint8Array>) => new IterableSource(chunksOf(stream), () => { void stream.cancel().catch(() => {}) })
}
