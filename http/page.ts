/**
 * The query page at `/`: YASGUI (@triply/yasgui, MIT), a SPARQL editor with a results
 * view, pointed at this endpoint, and its files at /assets/. The files are copied from
 * the devDependency into dist/http/assets by the build (scripts/copy-yasgui.mjs), so the
 * published package carries them and no runtime dependency: the page works offline, with
 * nothing fetched from another host. Without the files (a source checkout not built)
 * the page says so.
 */
import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RequestContext } from './context.js'
import { HttpError } from './errors.js'

/** Where the build puts the page's files, beside this module. */
export const DEFAULT_ASSETS = fileURLToPath(new URL('./assets/', import.meta.url))

const ASSETS: Record<string, string> = {
  'yasgui.min.js': 'text/javascript; charset=utf-8',
  'yasgui.min.css': 'text/css; charset=utf-8',
  'yasgui.min.js.LICENSE.txt': 'text/plain; charset=utf-8'
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rhizome SPARQL endpoint</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="assets/yasgui.min.css">
<style>body { margin: 0; font-family: system-ui, sans-serif } header { padding: 6px 12px; background: #eee } .yasgui .autocompleteWrapper { display: none !important }</style>
</head><body>
<header>Rhizome SPARQL endpoint: <code id="endpoint"></code></header>
<div id="yasgui"></div>
<script src="assets/yasgui.min.js"></script>
<script>
  const endpoint = new URL('sparql', location.href).href
  document.getElementById('endpoint').textContent = endpoint
  window.yasgui = new Yasgui(document.getElementById('yasgui'), {
    requestConfig: { endpoint, method: 'POST' },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [] },
    // Prefixes come from this server and only the local autocompleters run: the others ask
    // prefix.cc and LOV, which an offline page must not.
    yasqe: { value: 'SELECT * WHERE {\\n  ?s ?p ?o\\n} LIMIT 25', prefixCcApi: new URL('assets/prefixes.json', location.href).href, autocompleters: ['prefixes', 'variables'] },
    persistenceId: null
  })
</script>
</body></html>
`

/** The prefixes the editor offers to complete, in prefix.cc's format (prefix → namespace). */
const PREFIXES = JSON.stringify({
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  schema: 'http://schema.org/',
  sd: 'http://www.w3.org/ns/sparql-service-description#'
})

export function servePage (ctx: RequestContext): void {
  const { req, res, url } = ctx
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError('ERR_HTTP_METHOD', 'the query page answers GET', { allow: 'GET, HEAD' })
  const dir = ctx.settings.assetsDir ?? DEFAULT_ASSETS
  if (url.pathname === '/') {
    if (!existsSync(join(dir, 'yasgui.min.js'))) throw new HttpError('ERR_HTTP_NOT_FOUND', 'the query page is not built (npm run build copies its files); the endpoint is at /sparql')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE) })
    res.end(req.method === 'HEAD' ? undefined : PAGE)
    return
  }
  const name = url.pathname.slice('/assets/'.length)
  if (name === 'prefixes.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(PREFIXES) })
    res.end(req.method === 'HEAD' ? undefined : PREFIXES)
    return
  }
  const type = ASSETS[name]
  if (type === undefined || !existsSync(join(dir, name))) throw new HttpError('ERR_HTTP_NOT_FOUND', `no asset ${name}`)
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=3600' })
  if (req.method === 'HEAD') { res.end(); return }
  createReadStream(join(dir, name)).pipe(res)
}
