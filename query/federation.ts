/** What SERVICE (federated query, eval/service.ts) may call, and the limits of each call. */
export interface FederationOptions {
  /** The endpoints a query may call: URL prefixes (`https://example.org/sparql`, `http://127.0.0.1:7879/`), or `*` for any. */
  allow: string[]
  /** Each call's time limit in milliseconds, within the query's own. Default 30,000. */
  timeoutMs?: number
  /** The most solutions one call may return. Default 100,000. */
  maxResults?: number
  /** The most bytes one answer may have. Default 64 MiB. */
  maxBytes?: number
  /** The fetch to call endpoints with (default: the global one): for proxies, and tests. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>
}
