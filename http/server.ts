/**
 * The HTTP endpoint: one node:http server over one Graph, with the SPARQL 1.1 Protocol
 * at /sparql (protocol.ts), the Graph Store Protocol at /store (store-protocol.ts), the
 * delegated routing API for names at /routing/v1/ipns/ (routing.ts) and a query page at / (page.ts).
 *
 * Safe by default: it listens on loopback; updates are off unless asked for, and when on
 * for a non-loopback address they need a bearer token; LOAD of local files is off; bodies
 * are bounded (413); at most `maxConcurrent` requests run at once (503 with Retry-After
 * beyond, so an overloaded server says so at once rather than queueing without end);
 * each request has a time limit that aborts the engine's work, as does the client going
 * away (the response's 'close'). Every response allows any origin (CORS): the endpoint
 * holds no cookies or ambient credentials, updates need the explicit token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RhizomeError, type Graph } from '../index.js'
import type { RequestContext, ServerSettings } from './context.js'
import { HttpError, PortInUseError, UnsafeServerError } from './errors.js'
import { handleSparql } from './protocol.js'
import { handleStore } from './store-protocol.js'
import { servePage } from './page.js'
import { handleRouting, ROUTING_PREFIX } from './routing.js'

export interface HttpServerOptions extends Partial<ServerSettings> {
  /** Default 7878; 0 picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
}

export const DEFAULT_PORT = 7878
export const DEFAULT_HOST = '127.0.0.1'

const DEFAULTS: ServerSettings = {
  allowUpdate: false,
  token: undefined,
  loadFolders: [],
  services: [],
  timeoutMs: 60_000,
  maxConcurrent: 64,
  maxBodyBytes: 64 * 1024 * 1024
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, DELETE, HEAD, OPTIONS',
  'access-control-allow-headers': 'Accept, Authorization, Content-Type, If-None-Match',
  'access-control-expose-headers': 'Location, X-Rhizome-Commit, Etag, Cache-Control',
  'access-control-max-age': '600'
}

export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

/** Statuses of the engine's and the core's errors; anything else is a 500. */
const STATUS_OF_CODE: Record<string, number> = {
  ERR_SPARQL_SYNTAX: 400,
  ERR_SPARQL_UNSUPPORTED: 501,
  ERR_UPDATE_FAILED: 400,
  ERR_LOAD_FAILED: 400,
  ERR_LOAD_FORBIDDEN: 403,
  ERR_QUERY_TOO_LARGE: 413,
  ERR_QUERY_TOO_DEEP: 400,
  ERR_RESULTS_FORMAT: 406,
  ERR_RESULT_LIMIT: 413,
  ERR_QUERY_TIMEOUT: 503,
  ERR_INVALID_RDF: 400,
  ERR_REMOTE_CONTEXT: 400,
  ERR_UNKNOWN_FORMAT: 415,
  ERR_NOT_A_WRITER: 403,
  ERR_SERVICE_FORBIDDEN: 403,
  ERR_SERVICE_FAILED: 502
}

export class HttpEndpoint {
  private running = 0
  private readonly server: Server
  private bound = 0

  private constructor (graph: Graph, settings: ServerSettings, readonly host: string) {
    this.server = createServer((req, res) => { void this.handle(graph, settings, req, res) })
    this.server.keepAliveTimeout = 5_000
  }

  /** Requests running now (those counted against `maxConcurrent`). */
  get active (): number { return this.running }

  /** The port listened on (the one picked when 0 was asked for). */
  get port (): number { return this.bound }

  /** The query endpoint's URL, as printed by `rhizome serve`. */
  get url (): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `http://${host}:${this.port}/sparql`
  }

  static async start (graph: Graph, options: HttpServerOptions = {}): Promise<HttpEndpoint> {
    const settings: ServerSettings = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) }
    const host = options.host ?? DEFAULT_HOST
    const port = options.port ?? DEFAULT_PORT
    if (settings.allowUpdate && settings.token === undefined && !isLoopback(host)) {
      throw new UnsafeServerError(`updates on ${host}, which is not loopback, need a bearer token (--token or RHIZOME_TOKEN)`)
    }
    const endpoint = new HttpEndpoint(graph, settings, host)
    const server = endpoint.server
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: err }) : err)
      })
      server.listen(port, host, () => resolve())
    })
    endpoint.bound = (server.address() as AddressInfo).port
    return endpoint
  }

  private async handle (graph: Graph, settings: ServerSettings, req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v)
    const controller = new AbortController()
    // A response that ended normally also closes; only one cut short aborts the work.
    res.once('close', () => { if (!res.writableFinished) controller.abort(new RhizomeError('ERR_ABORTED', 'the client closed the connection')) })
    const url = new URL(req.url ?? '/', 'http://endpoint')
    const ctx: RequestContext = { graph, settings, req, res, url, endpoint: this.url, signal: controller.signal }
    let counted = false
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204)
        res.end()
        return
      }
      if (url.pathname === '/' || url.pathname.startsWith('/assets/')) {
        servePage(ctx)
        return
      }
      if (this.running >= settings.maxConcurrent) {
        throw new HttpError('ERR_HTTP_BUSY', `the endpoint is running ${this.running} requests, its limit; try again shortly`, { 'retry-after': '1' })
      }
      this.running++
      counted = true
      if (url.pathname === '/sparql' || url.pathname === '/sparql/') await handleSparql(ctx)
      else if (url.pathname.startsWith(ROUTING_PREFIX)) await handleRouting(await graph.nameRecords(), req, res, url)
      else if (url.pathname === '/store') await handleStore(ctx)
      else throw new HttpError('ERR_HTTP_NOT_FOUND', `nothing at ${url.pathname} (the endpoint is /sparql, the graph store /store, names /routing/v1/ipns/, the query page /)`)
    } catch (err) {
      this.fail(ctx, err)
    } finally {
      if (counted) this.running--
    }
  }

  /** Answers an error with its status and message, or cuts a response already under way. */
  private fail (ctx: RequestContext, err: unknown): void {
    const { res } = ctx
    if (res.headersSent || ctx.signal.aborted) {
      res.destroy()
      return
    }
    let status = 500
    let headers: Record<string, string> = {}
    let message = err instanceof Error ? err.message : String(err)
    if (err instanceof HttpError) {
      status = err.status
      headers = err.headers
    } else if (err instanceof RhizomeError && STATUS_OF_CODE[err.code] !== undefined) {
      status = STATUS_OF_CODE[err.code]
    } else if (err instanceof Error && (err.name === 'TimeoutError' || (err instanceof RhizomeError && err.code === 'ERR_ABORTED'))) {
      status = 503
      message = `the request exceeded its time limit of ${ctx.settings.timeoutMs} ms`
    }
    const text = message + '\n'
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) })
    res.end(text)
    // A body not read (a refused upload) would otherwise stall the connection.
    if (!ctx.req.complete) ctx.req.resume()
  }

  /** Stops accepting connections, aborts requests under way and waits for the server to close. */
  async close (): Promise<void> {
    await new Promise<void>(resolve => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}
