/**
 * Length-prefixed frames over a libp2p stream, with the limits checked before anything
 * is buffered: an unsigned varint length, then that many bytes, never more than
 * `maxFrame`. Small frames are coalesced into writes of up to WRITE_CHUNK bytes, so a
 * stream of thousands of 300-byte commits costs a few dozen encrypted transport messages,
 * not thousands; the writer waits for the stream to drain (backpressure), and the reader
 * holds at most one frame plus one transport chunk.
 */
import type { Stream } from '@libp2p/interface'
import { ProtocolError } from './errors.js'

const WRITE_CHUNK = 64 * 1024

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

export interface FrameIO {
  /** Rejects when a wait (for data or for the peer to read) is aborted. */
  signal?: AbortSignal
  /** Longest a read or a drain may wait, ms. */
  inactivityTimeout?: number
}

export class FrameWriter {
  private parts: Uint8Array[] = []
  private size = 0
  /** Time spent waiting for the reader to take what was sent, ms (a slow reader's measure). */
  waited = 0

  constructor (private readonly stream: Stream, private readonly options: FrameIO = {}) {}

  /** Queues a frame; sends when a chunk's worth has gathered. */
  async write (frame: Uint8Array): Promise<void> {
    const length = varint(frame.length)
    this.parts.push(length, frame)
    this.size += length.length + frame.length
    if (this.size >= WRITE_CHUNK) await this.flush()
  }

  /** Sends what is queued and waits while the stream's buffer is full. */
  async flush (): Promise<void> {
    if (this.size === 0) return
    const chunk = new Uint8Array(this.size)
    let at = 0
    for (const p of this.parts) { chunk.set(p, at); at += p.length }
    this.parts = []
    this.size = 0
    if (!this.stream.send(chunk)) {
      const waits = [this.options.signal, this.options.inactivityTimeout === undefined ? undefined : AbortSignal.timeout(this.options.inactivityTimeout)].filter((s): s is AbortSignal => s !== undefined)
      const since = Date.now()
      try {
        await this.stream.onDrain({ signal: waits.length === 0 ? undefined : AbortSignal.any(waits) })
      } finally {
        this.waited += Date.now() - since
      }
    }
  }
}

export class FrameReader {
  private readonly source: AsyncIterator<Uint8Array | { subarray: () => Uint8Array }>
  private buffer: Uint8Array = new Uint8Array(0)
  private ended = false

  constructor (stream: Stream, private readonly maxFrame: number, private readonly options: FrameIO = {}) {
    this.source = stream[Symbol.asyncIterator]()
  }

  /** The next frame, or undefined when the stream ended cleanly between frames. */
  async read (): Promise<Uint8Array | undefined> {
    for (;;) {
      const frame = this.parse()
      if (frame !== undefined) return frame
      if (this.ended) {
        if (this.buffer.length > 0) throw new ProtocolError('stream ended inside a frame')
        return undefined
      }
      await this.pull()
    }
  }

  private parse (): Uint8Array | undefined {
    let length = 0
    let shift = 1
    let i = 0
    for (;; i++) {
      if (i >= this.buffer.length) return undefined
      const byte = this.buffer[i]
      length += (byte & 0x7f) * shift
      shift *= 128
      if (length > this.maxFrame) throw new ProtocolError(`frame of ${length} bytes exceeds the ${this.maxFrame}-byte limit`)
      if ((byte & 0x80) === 0) break
      if (i >= 4) throw new ProtocolError('frame length is not a short varint')
    }
    const start = i + 1
    if (this.buffer.length < start + length) return undefined
    const frame = this.buffer.subarray(start, start + length)
    this.buffer = this.buffer.subarray(start + length)
    return frame
  }

  private async pull (): Promise<void> {
    const waits = [this.options.signal, this.options.inactivityTimeout === undefined ? undefined : AbortSignal.timeout(this.options.inactivityTimeout)].filter((s): s is AbortSignal => s !== undefined)
    const next = this.source.next()
    let result: IteratorResult<Uint8Array | { subarray: () => Uint8Array }>
    if (waits.length === 0) {
      result = await next
    } else {
      const signal = AbortSignal.any(waits)
      signal.throwIfAborted()
      let onAbort: (() => void) | undefined
      try {
        result = await Promise.race([next, new Promise<never>((_resolve, reject) => {
          onAbort = () => reject(signal.reason)
          signal.addEventListener('abort', onAbort, { once: true })
        })])
      } finally {
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
      }
    }
    if (result.done === true) {
      this.ended = true
      return
    }
    const chunk = result.value instanceof Uint8Array ? result.value : result.value.subarray()
    if (this.buffer.length === 0) {
      this.buffer = chunk
    } else {
      const joined = new Uint8Array(this.buffer.length + chunk.length)
      joined.set(this.buffer)
      joined.set(chunk, this.buffer.length)
      this.buffer = joined
    }
  }
}
