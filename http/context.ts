/**
 * What every handler of a request gets: the graph, the server's settings, the request
 * and response, and the request's signal, which aborts when the client goes away or the
 * per-request time runs out, so work for nobody stops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Graph } from '../index.js'

export interface ServerSettings {
  /** Updates (SPARQL Update, Graph Store writes) are refused with 403 unless true. */
  allowUpdate: boolean
  /** When set, updates need `Authorization: Bearer <token>`. */
  token: string | undefined
  /** The folders LOAD may read local files (file: IRIs) from; none by default. */
  loadFolders: string[]
  /** The endpoints SERVICE may call (URL prefixes, or `*`); none by default, so a request cannot make this server call out. */
  services: string[]
  /** Each query or update stops after this long. */
  timeoutMs: number
  /** Most requests running at once; beyond it 503. */
  maxConcurrent: number
  /** Largest request body, in bytes; beyond it 413. */
  maxBodyBytes: number
  /** The query page's files (YASGUI); default: http/assets beside the built module. */
  assetsDir?: string
}

export interface RequestContext {
  graph: Graph
  settings: ServerSettings
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** The endpoint's own URL (the base IRI of queries and updates). */
  endpoint: string
  signal: AbortSignal
}
