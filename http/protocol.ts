/**
 * The SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/) at /sparql:
 * query by GET, by POST with application/sparql-query and by POST form; update by POST
 * direct and form, only when the server allows updates; a GET with neither answers the
 * service description. Exactly one query or update per request (else 400); the dataset
 * parameters are written into the text (dataset.ts); the endpoint's URL is the base IRI.
 *
 * A query's result streams (stream.ts): headers go out with the first row (results.ts
 * `started`), the rest as they come. The request's signal carries the timeout and the client's disconnect into
 * the engine, which stops scanning; errors before the first row get a status, errors
 * after it cut the response, which is how HTTP says a body is incomplete.
 */
import { LoadError, type DocumentLoader } from '../index.js'
import type { RequestContext } from './context.js'
import { queryWithDataset, updateWithDataset, type DatasetParams } from './dataset.js'
import { HttpError } from './errors.js'
import { decodeText, mediaType, readBody } from './request.js'
import { chooseType, resultBody, started } from './results.js'
import { serviceDescription } from './service-description.js'
import { pipeChunks } from './stream.js'
import { negotiate } from './negotiate.js'

type Operation = { kind: 'query', text: string, dataset: DatasetParams } | { kind: 'update', text: string, dataset: DatasetParams } | { kind: 'describe' }

export async function handleSparql (ctx: RequestContext): Promise<void> {
  const op = await readOperation(ctx)
  if (op.kind === 'describe') return describeService(ctx)
  if (op.kind === 'query') return await runQuery(ctx, queryWithDataset(op.text, op.dataset, ctx.endpoint))
  return await runUpdate(ctx, updateWithDataset(op.text, op.dataset, ctx.endpoint))
}

function single (params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) throw new HttpError('ERR_HTTP_BAD_REQUEST', `more than one ${name} parameter`)
  return values[0]
}

function dataset (params: URLSearchParams, update: boolean): DatasetParams {
  return update
    ? { defaultGraphs: params.getAll('using-graph-uri'), namedGraphs: params.getAll('using-named-graph-uri') }
    : { defaultGraphs: params.getAll('default-graph-uri'), namedGraphs: params.getAll('named-graph-uri') }
}

async function readOperation (ctx: RequestContext): Promise<Operation> {
  const { req, url } = ctx
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (url.searchParams.has('update')) throw new HttpError('ERR_HTTP_METHOD', 'an update must be sent by POST', { allow: 'GET, POST, OPTIONS' })
    const text = single(url.searchParams, 'query')
    if (text === undefined) return { kind: 'describe' }
    return { kind: 'query', text, dataset: dataset(url.searchParams, false) }
  }
  if (req.method !== 'POST') throw new HttpError('ERR_HTTP_METHOD', `${req.method ?? ''} is not a SPARQL protocol operation (use GET or POST)`, { allow: 'GET, POST, OPTIONS' })
  const type = mediaType(req)
  if (type === '') throw new HttpError('ERR_HTTP_BAD_REQUEST', 'a POST needs a Content-Type: application/sparql-query, application/sparql-update or application/x-www-form-urlencoded')
  const known = ['application/sparql-query', 'application/sparql-update', 'application/x-www-form-urlencoded']
  if (!known.includes(type)) throw new HttpError('ERR_HTTP_MEDIA_TYPE', `unsupported Content-Type ${type} (expected ${known.join(', ')})`)
  const text = decodeText(req, await readBody(req, ctx.settings.maxBodyBytes))
  if (type === 'application/sparql-query') return { kind: 'query', text, dataset: dataset(url.searchParams, false) }
  if (type === 'application/sparql-update') return { kind: 'update', text, dataset: dataset(url.searchParams, true) }
  const params = new URLSearchParams(text)
  for (const [k, v] of url.searchParams) params.append(k, v)
  const query = single(params, 'query')
  const update = single(params, 'update')
  if (query !== undefined && update !== undefined) throw new HttpError('ERR_HTTP_BAD_REQUEST', 'a request holds either a query or an update, not both')
  if (query !== undefined) return { kind: 'query', text: query, dataset: dataset(params, false) }
  if (update !== undefined) return { kind: 'update', text: update, dataset: dataset(params, true) }
  throw new HttpError('ERR_HTTP_BAD_REQUEST', 'the form has neither a query nor an update parameter')
}

function describeService (ctx: RequestContext): void {
  const type = negotiate(ctx.req.headers.accept, ['text/turtle', 'application/n-triples', 'text/plain']) ?? 'text/turtle'
  const text = serviceDescription(ctx.endpoint, ctx.settings)
  ctx.res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(text) })
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text)
}

async function runQuery (ctx: RequestContext, text: string): Promise<void> {
  const federation = ctx.settings.services.length > 0 ? { allow: ctx.settings.services } : undefined
  const result = await ctx.graph.query(text, { signal: ctx.signal, timeoutMs: ctx.settings.timeoutMs, baseIRI: ctx.endpoint, federation })
  chooseType(result.type, ctx.req.headers.accept) // a 406 before any work
  const body = resultBody(await started(result), ctx.req.headers.accept)
  ctx.res.writeHead(200, { 'content-type': body.contentType, 'cache-control': 'no-store', vary: 'Accept' })
  if (ctx.req.method === 'HEAD') {
    ctx.res.end()
    return
  }
  await pipeChunks(body.chunks, ctx.res, ctx.signal)
}

/** Checks the token (when the server has one) and that updates are on. */
export function authorizeUpdate (ctx: RequestContext): void {
  if (!ctx.settings.allowUpdate) throw new HttpError('ERR_HTTP_FORBIDDEN', 'updates are off on this endpoint (start it with --allow-update)')
  const token = ctx.settings.token
  if (token !== undefined && ctx.req.headers.authorization !== `Bearer ${token}`) {
    throw new HttpError('ERR_HTTP_UNAUTHORIZED', 'updates need an Authorization: Bearer token', { 'www-authenticate': 'Bearer realm="rhizome"' })
  }
}

/** LOAD's document loader: off unless the server allows folders (reading local files is the server's business). */
function loader (ctx: RequestContext): DocumentLoader | undefined {
  if (ctx.settings.loadFolders.length > 0) return undefined // the engine's loader, held to allowFiles
  return async iri => { throw new LoadError(iri, 'LOAD is off on this endpoint (start it with --allow-load DIR)') }
}

async function runUpdate (ctx: RequestContext, text: string): Promise<void> {
  authorizeUpdate(ctx)
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.settings.timeoutMs)])
  const result = await ctx.graph.update(text, { signal, baseIRI: ctx.endpoint, load: loader(ctx), allowFiles: ctx.settings.loadFolders })
  ctx.res.writeHead(204, result.head === undefined ? {} : { 'x-rhizome-commit': result.head.toString() })
  ctx.res.end()
}
