/**
 * Rhizome's HTTP endpoint, the layer's public entry: the SPARQL 1.1 Protocol at /sparql,
 * the Graph Store HTTP Protocol at /store and a service description, over one Graph,
 * used only through the root's public API (graph.query, graph.update, graph.match).
 * `rhizome serve --http-port` runs it beside replication; a program can start one with
 * `HttpEndpoint.start(graph, options)`.
 */
export { HttpEndpoint, isLoopback, DEFAULT_HOST, DEFAULT_PORT, type HttpServerOptions } from './server.js'
export { HttpError, PortInUseError, UnsafeServerError, type HttpErrorCode } from './errors.js'
export type { ServerSettings } from './context.js'
export { negotiate } from './negotiate.js'
export { RoutingEndpoint, handleRouting, IPNS_RECORD_TYPE } from './routing.js'
