/**
 * Errors of the HTTP endpoint's own conditions. Each is a RhizomeError with a code
 * from a closed set and the HTTP status it is answered with; the server writes the
 * message as the response body (text/plain), so a client sees why.
 */
import { RhizomeError } from '../index.js'

export type HttpErrorCode =
  | 'ERR_HTTP_BAD_REQUEST'
  | 'ERR_HTTP_UNAUTHORIZED'
  | 'ERR_HTTP_FORBIDDEN'
  | 'ERR_HTTP_NOT_FOUND'
  | 'ERR_HTTP_METHOD'
  | 'ERR_HTTP_NOT_ACCEPTABLE'
  | 'ERR_HTTP_TOO_LARGE'
  | 'ERR_HTTP_MEDIA_TYPE'
  | 'ERR_HTTP_BUSY'

const STATUS: Record<HttpErrorCode, number> = {
  ERR_HTTP_BAD_REQUEST: 400,
  ERR_HTTP_UNAUTHORIZED: 401,
  ERR_HTTP_FORBIDDEN: 403,
  ERR_HTTP_NOT_FOUND: 404,
  ERR_HTTP_METHOD: 405,
  ERR_HTTP_NOT_ACCEPTABLE: 406,
  ERR_HTTP_TOO_LARGE: 413,
  ERR_HTTP_MEDIA_TYPE: 415,
  ERR_HTTP_BUSY: 503
}

/** A request the endpoint refuses, with the status to answer and headers to add (Allow, Retry-After). */
export class HttpError extends RhizomeError {
  override name = 'HttpError'
  declare readonly code: HttpErrorCode
  readonly status: number
  constructor (code: HttpErrorCode, message: string, readonly headers: Record<string, string> = {}, options?: ErrorOptions) {
    super(code, message, options)
    this.status = STATUS[code]
  }
}

/** `rhizome serve --http-port P`: another process already listens on P. */
export class PortInUseError extends RhizomeError {
  override name = 'PortInUseError'
  constructor (readonly host: string, readonly port: number, options?: ErrorOptions) {
    super('ERR_PORT_IN_USE', `cannot listen on ${host}:${port}: port ${port} is already in use (choose another with --http-port)`, options)
  }
}

/** Server options that would be unsafe together, such as updates on a public address without a token. */
export class UnsafeServerError extends RhizomeError {
  override name = 'UnsafeServerError'
  constructor (message: string) {
    super('ERR_UNSAFE_SERVER', message)
  }
}
