/**
 * The Delegated Routing V1 HTTP API for names (the IPFS specification's `/routing/v1/ipns/`):
 * `GET /routing/v1/ipns/{name}` answers the valid record held, as
 * `application/vnd.ipfs.ipns-record`, with an `Etag` of the record's hash and
 * `Cache-Control: public, max-age=` its TTL, never past its validity (60 s for a 404, as the
 * specification says); `PUT` takes a record for the name, checked (size before parsing,
 * V2 signature, validity, and not older than the one held) before it is kept and sent to
 * peers, for a name this replica publishes or follows (another is 403). Any other path under /routing/v1/ is 501: content and peer routing are not offered.
 * `rhizome serve` answers it beside /sparql; `rhizome pin --http-port` alone (RoutingEndpoint).
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RhizomeError, type NameRecords } from '../index.js'
import { HttpError, PortInUseError } from './errors.js'
import { readBody } from './request.js'

export const IPNS_RECORD_TYPE = 'application/vnd.ipfs.ipns-record'
export const ROUTING_PREFIX = '/routing/v1/'
const IPNS_PATH = /^\/routing\/v1\/ipns\/([^/]+)\/?$/
/** A record is at most 10 KiB; a body past a little more is refused while it is read. */
const MAX_RECORD_BODY = 16 * 1024
const NOT_FOUND_MAX_AGE = 60

/** The status of a name or record error: 400, as the specification says for an invalid record or name. */
function routingError (err: unknown): unknown {
  if (err instanceof RhizomeError && (err.code.startsWith('ERR_RECORD_') || err.code === 'ERR_INVALID_NAME')) {
    return new HttpError('ERR_HTTP_BAD_REQUEST', err.message, {}, { cause: err })
  }
  if (err instanceof RhizomeError && err.code === 'ERR_NAME_NOT_FOLLOWED') return new HttpError('ERR_HTTP_FORBIDDEN', err.message, {}, { cause: err })
  return err
}

/** Whether an Accept header admits the record type (no header, or `*\/*`, does). */
function acceptsRecord (accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  return accept.split(',').some(part => {
    const type = part.split(';')[0]!.trim().toLowerCase()
    return type === IPNS_RECORD_TYPE || type === '*/*' || type === 'application/*'
  })
}

/** Answers a request under /routing/v1/ from `records`; the caller answers what it throws. */
export async function handleRouting (records: NameRecords, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const match = IPNS_PATH.exec(url.pathname)
  if (match === null) {
    res.writeHead(501, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': `max-age=${NOT_FOUND_MAX_AGE}` })
    res.end(`${url.pathname}: this server answers only /routing/v1/ipns/{name} (IPNS names); content and peer routing are not offered\n`)
    return
  }
  try {
    let name: string
    try {
      name = decodeURIComponent(match[1]!)
    } catch {
      throw new HttpError('ERR_HTTP_BAD_REQUEST', `${match[1]!.slice(0, 100)} is not a well-formed path segment (a bad percent-escape)`)
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!acceptsRecord(req.headers.accept)) throw new HttpError('ERR_HTTP_NOT_ACCEPTABLE', `retry with Accept: ${IPNS_RECORD_TYPE}`)
      const record = await records.get(name)
      if (record === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': `public, max-age=${NOT_FOUND_MAX_AGE}` })
        res.end(`no valid record for /ipns/${name} is held here\n`)
        return
      }
      const etag = `"${createHash('sha256').update(record.bytes).digest('base64url')}"`
      const remaining = Math.max(0, Math.floor((record.expires - Date.now()) / 1000))
      const maxAge = Math.min(record.ttl > 0 ? Math.floor(record.ttl / 1000) : NOT_FOUND_MAX_AGE, remaining)
      const headers = {
        'content-type': IPNS_RECORD_TYPE,
        etag,
        'cache-control': `public, max-age=${maxAge}`,
        'content-disposition': `attachment; filename="${name}.ipns-record"`
      }
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers)
        res.end()
        return
      }
      res.writeHead(200, { ...headers, 'content-length': record.bytes.byteLength })
      res.end(req.method === 'HEAD' ? undefined : record.bytes)
      return
    }
    if (req.method === 'PUT') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      if (type !== IPNS_RECORD_TYPE) throw new HttpError('ERR_HTTP_NOT_ACCEPTABLE', `retry with Content-Type: ${IPNS_RECORD_TYPE}`)
      const body = await readBody(req, MAX_RECORD_BODY)
      const { sequence } = await records.put(name, new Uint8Array(body))
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`kept the record of /ipns/${name}, sequence ${sequence}\n`)
      return
    }
    throw new HttpError('ERR_HTTP_METHOD', `${req.method ?? ''} is not allowed on ${url.pathname}`, { allow: 'GET, HEAD, PUT, OPTIONS' })
  } catch (err) {
    throw routingError(err)
  }
}

/**
 * An HTTP server with only the routing API, for `rhizome pin --http-port`: loopback
 * unless asked otherwise, CORS open as the specification asks, a bounded body.
 */
export class RoutingEndpoint {
  private constructor (private readonly server: Server, readonly host: string, readonly port: number) {}

  get url (): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `http://${host}:${this.port}${ROUTING_PREFIX}ipns/`
  }

  static async start (records: NameRecords, options: { port?: number, host?: string } = {}): Promise<RoutingEndpoint> {
    const host = options.host ?? '127.0.0.1'
    const port = options.port ?? 0
    const server = createServer((req, res) => {
      res.setHeader('access-control-allow-origin', '*')
      res.setHeader('access-control-allow-methods', 'GET, HEAD, PUT, OPTIONS')
      res.setHeader('access-control-allow-headers', 'Accept, Content-Type, If-None-Match')
      res.setHeader('access-control-expose-headers', 'Etag, Cache-Control')
      const url = new URL(req.url ?? '/', 'http://routing')
      if (req.method === 'OPTIONS') {
        res.writeHead(204)
        res.end()
        return
      }
      const answer = url.pathname.startsWith(ROUTING_PREFIX)
        ? handleRouting(records, req, res, url)
        : Promise.reject(new HttpError('ERR_HTTP_BAD_REQUEST', `${url.pathname}: this server answers only ${ROUTING_PREFIX}ipns/{name}`))
      answer.catch(err => {
        if (res.headersSent) { res.destroy(); return }
        const status = err instanceof HttpError ? err.status : 500
        const text = (err instanceof Error ? err.message : String(err)) + '\n'
        res.writeHead(status, { ...(err instanceof HttpError ? err.headers : {}), 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
        res.end(text)
        if (!req.complete) req.resume()
      })
    })
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: err }) : err))
      server.listen(port, host, () => resolve())
    })
    return new RoutingEndpoint(server, host, (server.address() as AddressInfo).port)
  }

  async close (): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}
