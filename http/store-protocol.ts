/**
 * The SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/)
 * at /store, with indirect graph identification: `?default` or `?graph=IRI`.
 *
 * GET and HEAD stream the graph (404 when it holds no quad: a graph exists in Rhizome
 * exactly while it holds quads). Each write is one signed commit: PUT deletes what the
 * graph holds and inserts the body in one `graph.update` (201 when the graph was new,
 * else 204); POST imports the body into the graph (`graph.import`, one commit); POST to
 * /store without a graph makes a new graph (a fresh urn:uuid IRI) and answers 201 with its
 * IRI in Location; DELETE removes every quad of the graph in one update. Nothing is
 * committed unless the whole body parses. A POST body may also be multipart/form-data of
 * RDF files, merged in one commit.
 */
import type * as RDF from '@rdfjs/types'
import { randomUUID } from 'node:crypto'
import { factory, parseRdf, type RdfFormat } from '../index.js'
import type { RequestContext } from './context.js'
import { HttpError } from './errors.js'
import { authorizeUpdate } from './protocol.js'
import { decodeText, mediaType, readBody } from './request.js'
import { chooseType } from './results.js'
import { GRAPH_MEDIA_TYPES, writeGraph } from './rdf-writers.js'
import { pipeChunks } from './stream.js'

/** Body media types the store reads, and the parser format for each. */
const READABLE: Record<string, RdfFormat> = {
  'text/turtle': 'turtle',
  'application/x-turtle': 'turtle',
  'application/n-triples': 'ntriples',
  'text/plain': 'ntriples',
  'application/n-quads': 'nquads',
  'application/trig': 'trig',
  'application/rdf+xml': 'rdfxml',
  'application/ld+json': 'jsonld'
}

function target (ctx: RequestContext): RDF.NamedNode | RDF.DefaultGraph | undefined {
  const params = ctx.url.searchParams
  const graphs = params.getAll('graph')
  if (params.has('default') && graphs.length > 0) throw new HttpError('ERR_HTTP_BAD_REQUEST', 'name either ?default or ?graph=IRI, not both')
  if (graphs.length > 1) throw new HttpError('ERR_HTTP_BAD_REQUEST', 'more than one graph parameter')
  if (params.has('default')) return factory.defaultGraph()
  if (graphs.length === 1) {
    if (!/^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i.test(graphs[0])) throw new HttpError('ERR_HTTP_BAD_REQUEST', `the graph parameter is not an absolute IRI: ${graphs[0]}`)
    return factory.namedNode(graphs[0])
  }
  return undefined
}

async function isEmpty (ctx: RequestContext, graph: RDF.Term): Promise<boolean> {
  for await (const _ of ctx.graph.match(null, null, null, graph, { signal: ctx.signal })) return false
  return true
}

export async function handleStore (ctx: RequestContext): Promise<void> {
  const graph = target(ctx)
  const method = ctx.req.method ?? ''
  if (graph === undefined) {
    if (method === 'POST') return await post(ctx, factory.namedNode(`urn:uuid:${randomUUID()}`), true)
    throw new HttpError('ERR_HTTP_BAD_REQUEST', 'name the graph: /store?default or /store?graph=IRI')
  }
  switch (method) {
    case 'GET': case 'HEAD': return await get(ctx, graph)
    case 'PUT': return await put(ctx, graph)
    case 'POST': return await post(ctx, graph, false)
    case 'DELETE': return await remove(ctx, graph)
    default: throw new HttpError('ERR_HTTP_METHOD', `${method} is not a Graph Store operation`, { allow: 'GET, HEAD, PUT, POST, DELETE, OPTIONS' })
  }
}

async function get (ctx: RequestContext, graph: RDF.NamedNode | RDF.DefaultGraph): Promise<void> {
  const type = chooseType('quads', ctx.req.headers.accept)
  if (graph.termType === 'NamedNode' && await isEmpty(ctx, graph)) throw new HttpError('ERR_HTTP_NOT_FOUND', `no graph <${graph.value}>`)
  ctx.res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, vary: 'Accept' })
  if (ctx.req.method === 'HEAD') { ctx.res.end(); return }
  await pipeChunks(writeGraph(ctx.graph.match(null, null, null, graph, { signal: ctx.signal }), GRAPH_MEDIA_TYPES[type]), ctx.res, ctx.signal)
}

async function body (ctx: RequestContext, graph: RDF.NamedNode | RDF.DefaultGraph): Promise<AsyncIterable<RDF.Quad>> {
  const type = mediaType(ctx.req)
  const bytes = await readBody(ctx.req, ctx.settings.maxBodyBytes)
  const into = { graph: graph.termType === 'NamedNode' ? graph : undefined, baseIRI: graph.termType === 'NamedNode' ? graph.value : ctx.endpoint, signal: ctx.signal }
  if (type === 'multipart/form-data') return await multipart(ctx, bytes, into)
  return parseRdf(decodeText(ctx.req, bytes), { format: readable(type), ...into })
}

function readable (type: string): RdfFormat {
  const format = READABLE[type]
  if (format === undefined) throw new HttpError('ERR_HTTP_MEDIA_TYPE', `cannot read a graph in ${type === '' ? 'a body without Content-Type' : type} (send ${Object.keys(READABLE).join(', ')} or multipart/form-data of them)`)
  return format
}

/** A multipart/form-data body (GSP §5.5): every file part is RDF, merged into one write. */
async function multipart (ctx: RequestContext, bytes: Buffer, into: { graph: RDF.NamedNode | undefined, baseIRI: string, signal: AbortSignal }): Promise<AsyncIterable<RDF.Quad>> {
  let form: FormData
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': ctx.req.headers['content-type'] ?? '' } }).formData()
  } catch (err) {
    throw new HttpError('ERR_HTTP_BAD_REQUEST', `the multipart body does not parse: ${(err as Error).message}`, {}, { cause: err })
  }
  const files: Blob[] = []
  form.forEach(value => { if (typeof value !== 'string') files.push(value) })
  const parts: Array<{ format: RdfFormat, text: string }> = []
  for (const file of files) parts.push({ format: readable(file.type.split(';')[0].trim().toLowerCase()), text: await file.text() })
  return (async function * () {
    for (const part of parts) yield * parseRdf(part.text, { format: part.format, ...into })
  })()
}

function committed (ctx: RequestContext, status: number, head: { toString: () => string } | undefined, location?: string): void {
  const headers: Record<string, string> = {}
  if (head !== undefined) headers['x-rhizome-commit'] = head.toString()
  if (location !== undefined) headers.location = location
  ctx.res.writeHead(status, headers)
  ctx.res.end()
}

async function put (ctx: RequestContext, graph: RDF.NamedNode | RDF.DefaultGraph): Promise<void> {
  authorizeUpdate(ctx)
  const quads = await body(ctx, graph)
  const created = graph.termType === 'NamedNode' && await isEmpty(ctx, graph)
  const result = await ctx.graph.update({ delete: ctx.graph.match(null, null, null, graph), insert: quads }, { signal: ctx.signal })
  committed(ctx, created ? 201 : 204, result.head)
}

async function post (ctx: RequestContext, graph: RDF.NamedNode | RDF.DefaultGraph, fresh: boolean): Promise<void> {
  authorizeUpdate(ctx)
  const created = fresh || (graph.termType === 'NamedNode' && await isEmpty(ctx, graph))
  const result = await ctx.graph.update({ insert: await body(ctx, graph) }, { signal: ctx.signal })
  committed(ctx, created ? 201 : 204, result.head, fresh ? graph.value : undefined)
}

async function remove (ctx: RequestContext, graph: RDF.NamedNode | RDF.DefaultGraph): Promise<void> {
  authorizeUpdate(ctx)
  if (graph.termType === 'NamedNode' && await isEmpty(ctx, graph)) throw new HttpError('ERR_HTTP_NOT_FOUND', `no graph <${graph.value}>`)
  const result = await ctx.graph.update({ delete: ctx.graph.match(null, null, null, graph) }, { signal: ctx.signal })
  committed(ctx, 204, result.head)
}
