/**
 * Rhizome's error base. Every error a caller can meet carries a `code` from a closed
 * set, so callers branch on `err.code` (or `err.name`), never on message text.
 * Each module declares the errors of its own conditions by extending this class;
 * the codes themselves are listed, with their meaning, in error-codes.ts.
 */
import type { ErrorCode } from './error-codes.js'

export type { ErrorCode } from './error-codes.js'
export { ERROR_CODES } from './error-codes.js'

export class RhizomeError extends Error {
  constructor (readonly code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
  }
}

/** Input that is not valid RDF: a malformed file line, a bad IRI, a variable where a term belongs. */
export class InvalidRdfError extends RhizomeError {
  override name = 'InvalidRdfError'
  constructor (message: string, readonly line?: number, options?: ErrorOptions) {
    super('ERR_INVALID_RDF', line === undefined ? message : `line ${line}: ${message}`, options)
  }
}

/** A block or delta that does not decode to the documented shape. */
export class MalformedBlockError extends RhizomeError {
  override name = 'MalformedBlockError'
  constructor (message: string, options?: ErrorOptions) {
    super('ERR_MALFORMED_BLOCK', message, options)
  }
}

/** A single quad too large to fit in one block. */
export class QuadTooLargeError extends RhizomeError {
  override name = 'QuadTooLargeError'
  constructor (readonly bytes: number, readonly limit: number) {
    super('ERR_QUAD_TOO_LARGE', `a quad of ${bytes} bytes exceeds the ${limit}-byte block limit`)
  }
}

/** An operation stopped because its AbortSignal fired. */
export class AbortedError extends RhizomeError {
  override name = 'AbortError'
  constructor (message = 'the operation was aborted', options?: ErrorOptions) {
    super('ERR_ABORTED', message, options)
  }
}

/** A call that needs Node (a folder, a file, a worker thread, mDNS) made in the browser build. */
export class UnsupportedPlatformError extends RhizomeError {
  override name = 'UnsupportedPlatformError'
  constructor (readonly what: string) {
    super('ERR_UNSUPPORTED_PLATFORM', `${what} needs Node: the browser build has no file system, worker threads, TCP or mDNS`)
  }
}

/** The one options shape for anything that can be stopped (the same as libp2p's and Helia's). */
export interface AbortOptions { signal?: AbortSignal }

/**
 * The caller's signal combined with a default time limit: whichever fires first
 * stops the work. A caller's signal never replaces the limit, nor the limit the signal.
 */
export function withTimeout (signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

/** Throws AbortedError when the signal has fired; call it where the data flows. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortedError(undefined, { cause: signal.reason })
}
