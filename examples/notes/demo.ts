/**
 * `npm run demo`: Shared notes, a dapp on rhizome/browser (examples/notes/index.html and
 * app.js), with a local `rhizome serve` it replicates with. Creates the database (open:
 * any key may write) in $RHIZOME_DEMO_DB or ./.rhizome-demo with a few notes the first
 * time, starts `rhizome serve` on it listening on loopback WebSockets, and serves the page
 * on http://127.0.0.1:$PORT/ (default 8080): the page, the browser build
 * (dist/browser/rhizome.js) and /config.json (the database's address and serve's
 * multiaddr). Open the page in two browsers, or write with the CLI while it runs:
 *
 *   node dist/cli/main.js --db .rhizome-demo update 'PREFIX s: <http://schema.org/> INSERT DATA { … }'
 *
 * Ctrl-C stops both. The page is served from a loopback address, so Chromium lets it dial
 * serve's ws:// address on loopback (with allowInsecureLocal: docs/BROWSER.md).
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { openGraph } from '../../index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..') // dist/examples/notes → the package
const folder = process.env.RHIZOME_DEMO_DB ?? '.rhizome-demo'
const port = Number(process.env.PORT ?? 8080)

const SEED = `PREFIX s: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {
  <urn:uuid:4b7e0a52-1f0e-4a3c-9d55-0c1a6a1b2c01> a s:NoteDigitalDocument ; s:text "Welcome! Every note is a handful of RDF quads, replicated peer to peer." ;
    s:dateModified "${new Date(Date.now() - 120_000).toISOString()}"^^xsd:dateTime ; s:editor <WRITER> .
  <urn:uuid:4b7e0a52-1f0e-4a3c-9d55-0c1a6a1b2c02> a s:NoteDigitalDocument ; s:text "Open this page in a second browser: edits show up in both." ;
    s:dateModified "${new Date(Date.now() - 60_000).toISOString()}"^^xsd:dateTime ; s:editor <WRITER> .
}`

// The database, and the writer serve will sign as (the folder's identity).
const graph = await openGraph({ path: folder, create: { name: 'Shared notes', open: true } })
const { address, writer } = graph
if (await graph.size() === 0) await graph.update(SEED.replaceAll('WRITER', writer))
await graph.close()

const serve = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), '--db', folder, 'serve', '--no-http', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], { stdio: ['ignore', 'pipe', 'inherit'] })
const peer = await new Promise<string>((resolve, reject) => {
  createInterface({ input: serve.stdout }).on('line', line => { if (/\/ws\/p2p\//.test(line)) resolve(line) })
  serve.once('exit', code => reject(new Error(`rhizome serve exited (${String(code)})`)))
})

const FILES: Record<string, [string, string]> = {
  '/': [join(root, 'examples', 'notes', 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(root, 'examples', 'notes', 'app.js'), 'text/javascript; charset=utf-8'],
  '/rhizome.js': [join(root, 'dist', 'browser', 'rhizome.js'), 'text/javascript; charset=utf-8']
}
const config = JSON.stringify({ address, peer, serveWriter: writer })

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (path === '/config.json') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(config)
    return
  }
  const file = FILES[path]
  if (file === undefined) {
    response.writeHead(404).end('not found')
    return
  }
  readFile(file[0]).then(
    body => { response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-cache' }).end(body) },
    () => { response.writeHead(500).end(`cannot read ${file[0]}`) }
  )
})
await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
console.log(`Shared notes: ${url}`)
console.log(`database ${address} in ${folder}\nrhizome serve at ${peer}`)
console.log(`write from Node while it runs: node dist/cli/main.js --db ${folder} update '…'   (Ctrl-C stops the demo)`)

const stop = (): void => {
  server.close()
  server.closeAllConnections()
  serve.kill('SIGTERM')
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
serve.once('exit', () => { server.close(); server.closeAllConnections() })
