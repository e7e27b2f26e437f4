#!/usr/bin/env node
/**
 * Figures of the HTTP endpoint (npm run bench:http; not asserted anywhere): requests per
 * second and latency percentiles of a small query under 32 concurrent keep-alive
 * clients, and for a large SELECT the time to the first row, rows per second and the
 * process's memory while it streams (above what the loaded graph holds). The server runs
 * in this process; the small-query clients on a worker thread, the large-SELECT reader
 * here (it only counts bytes).
 *
 *   node scripts/bench-http.mjs [--rows N] [--seconds S] [--clients C]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openGraph } from '../dist/index.js'
import { HttpEndpoint } from '../dist/http/index.js'

const USAGE = `options:
  --rows N       rows of the large SELECT (default 1000000: 2 triples each are loaded)
  --seconds S    how long the small-query clients run (default 5)
  --clients C    concurrent keep-alive clients of the small query (default 32)
  --help`
{
  const args = process.argv.slice(2)
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  for (let i = 0; i < args.length; i += 2) {
    if (!['--rows', '--seconds', '--clients'].includes(args[i]) || !Number.isFinite(Number(args[i + 1]))) {
      process.stderr.write(`bad option ${args[i]}\n${USAGE}\n`)
      process.exit(2)
    }
  }
}

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const ROWS = arg('rows', 1_000_000)
const SECONDS = arg('seconds', 5)
const CLIENTS = arg('clients', 32)

function * triples (n) {
  for (let i = 0; i < n; i++) yield `<http://example.org/s${i}> <http://example.org/p> "${i}" .\n<http://example.org/s${i}> <http://example.org/type> <http://example.org/C${i % 100}> .\n`
}

// The store `rhizome serve` runs on: SQLite, in a temporary folder.
const folder = mkdtempSync(join(tmpdir(), 'rhizome-bench-http-'))
const graph = await openGraph({ path: folder })
let t = performance.now()
await graph.import(triples(ROWS), { format: 'nt' })
console.log(`loaded ${2 * ROWS} triples in ${((performance.now() - t) / 1000).toFixed(1)} s`)
const endpoint = await HttpEndpoint.start(graph, { port: 0, maxConcurrent: 1024 })
const url = endpoint.url

// 1. A small query, CLIENTS keep-alive clients in a loop, on a worker thread (its own event loop).
const small = '/sparql?query=' + encodeURIComponent('SELECT ?s WHERE { ?s <http://example.org/type> <http://example.org/C7> } LIMIT 10')
const client = `
  const { parentPort, workerData: { port, path, clients, seconds } } = require('node:worker_threads')
  const http = require('node:http')
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const one = () => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path, agent, headers: { accept: 'application/sparql-results+json' } }, res => { res.resume(); res.on('end', resolve) }).on('error', reject))
  ;(async () => {
    for (let i = 0; i < 200; i++) await one()
    const latencies = []
    const end = performance.now() + seconds * 1000
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < end) { const t = performance.now(); await one(); latencies.push(performance.now() - t) }
    }))
    parentPort.postMessage(latencies)
  })()
`
const { Worker } = await import('node:worker_threads')
const latencies = await new Promise((resolve, reject) => {
  const worker = new Worker(client, { eval: true, workerData: { port: endpoint.port, path: small, clients: CLIENTS, seconds: SECONDS } })
  worker.once('message', resolve).once('error', reject)
})
latencies.sort((a, b) => a - b)
const pct = p => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2)
console.log(`small query, ${CLIENTS} clients: ${(latencies.length / SECONDS).toFixed(0)} requests/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`)

// 2. A large SELECT, streamed.
for (const accept of ['application/sparql-results+json', 'text/tab-separated-values']) {
  const before = process.memoryUsage().rss
  let peak = before
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  t = performance.now()
  const res = await fetch(`${url}?query=${encodeURIComponent('SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o }')}`, { headers: { accept } })
  const reader = res.body.getReader()
  let first
  let bytes = 0
  let lines = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (first === undefined) first = performance.now() - t
    bytes += value.length
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++
  }
  const total = (performance.now() - t) / 1000
  clearInterval(sampler)
  console.log(`large SELECT (${accept}, ${ROWS} rows): first bytes after ${first.toFixed(1)} ms, all in ${total.toFixed(2)} s (${(ROWS / total).toFixed(0)} rows/s, ${(bytes / 1e6 / total).toFixed(0)} MB/s, ${lines} lines), RSS ${(before / 1e6).toFixed(0)} MB before, peak ${(peak / 1e6).toFixed(0)} MB`)
}
await endpoint.close()
await graph.close()
rmSync(folder, { recursive: true, force: true })
