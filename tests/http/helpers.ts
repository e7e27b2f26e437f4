/**
 * An endpoint over an in-memory graph for one test: the graph, filled from Turtle or
 * TriG, the server on a free loopback port, and helpers to send protocol requests.
 */
import { openGraph, type Graph } from '../../index.js'
import { HttpEndpoint, type HttpServerOptions } from '../../http/index.js'

export const DATA = `@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ; ex:name "Alice"@en ; ex:age "42"^^xsd:integer ; ex:knows ex:bob, _:c .
ex:bob a ex:Person ; ex:name "Bob" ; ex:note "line one\\nline \\"two\\"" .
_:c ex:name "Carol" .
ex:g1 { ex:alice ex:in "g1" }
ex:g2 { ex:bob ex:in "g2" }
`

export interface Served {
  graph: Graph
  endpoint: HttpEndpoint
  url: string
  store: string
  close: () => Promise<void>
}

export async function serve (options: HttpServerOptions = {}, data = DATA): Promise<Served> {
  const graph = await openGraph()
  if (data !== '') await graph.import(data, { format: 'trig' })
  const endpoint = await HttpEndpoint.start(graph, { port: 0, ...options })
  return {
    graph,
    endpoint,
    url: endpoint.url,
    store: endpoint.url.replace(/\/sparql$/, '/store'),
    close: async () => { await endpoint.close(); await graph.close() }
  }
}

export const get = async (url: string, query: string, accept?: string, signal?: AbortSignal): Promise<Response> =>
  await fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: accept === undefined ? {} : { accept }, signal })

export const postQuery = async (url: string, query: string, accept?: string): Promise<Response> =>
  await fetch(url, { method: 'POST', body: query, headers: { 'content-type': 'application/sparql-query', ...(accept === undefined ? {} : { accept }) } })

export const postForm = async (url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
  await fetch(url, { method: 'POST', body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })

export const postUpdate = async (url: string, update: string, headers: Record<string, string> = {}): Promise<Response> =>
  await fetch(url, { method: 'POST', body: update, headers: { 'content-type': 'application/sparql-update', ...headers } })

/** Waits until `condition` holds, polling, or fails after `ms`. */
export async function until (condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setImmediate(resolve))
  }
}
