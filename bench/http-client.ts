/**
 * The clients of bench/http.ts: a load generator (many keep-alive clients in a loop on
 * a worker thread, so their event loop is not the one reading results) and a
 * streaming reader that counts the rows of a SPARQL JSON result as its bytes arrive,
 * without ever holding the whole result, and samples the server's memory meanwhile.
 */
import { Worker } from 'node:worker_threads'
import { treeRss } from './http-servers.js'

/** The URL of a GET of `query` against `endpoint` (which may carry parameters of its own). */
export function queryUrl (endpoint: string, query: string): string {
  return `${endpoint}${endpoint.includes('?') ? '&' : '?'}query=${encodeURIComponent(query)}`
}

export interface LoadFigures {
  requests: number
  errors: number
  perSecond: number
  p50: number
  p90: number
  p99: number
}

const LOAD_WORKER = `
  const { parentPort, workerData: { url, clients, seconds, warmup } } = require('node:worker_threads')
  const http = require('node:http')
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients })
  const one = () => new Promise((resolve) => {
    const req = http.get(url, { agent, headers: { accept: 'application/sparql-results+json' } }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
      res.on('error', () => resolve(false))
    })
    req.on('error', () => resolve(false))
    // A request still unanswered a minute on counts as an error, and the run goes on.
    req.setTimeout(60000, () => req.destroy())
  })
  ;(async () => {
    for (let i = 0; i < warmup; i++) await one()
    const latencies = []
    let errors = 0
    const start = performance.now()
    const end = start + seconds * 1000
    await Promise.all(Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t = performance.now()
        if (await one()) latencies.push(performance.now() - t)
        else errors++
      }
    }))
    agent.destroy()
    parentPort.postMessage({ latencies, errors, elapsed: performance.now() - start })
  })()
`

/** `clients` keep-alive clients GET `url` in a loop for `seconds`, after `warmup` requests one by one. */
export async function loadTest (url: string, clients: number, seconds: number, warmup = 100): Promise<LoadFigures> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, clients, seconds, warmup } })
  const { latencies, errors, elapsed } = await new Promise<{ latencies: number[], errors: number, elapsed: number }>((resolve, reject) => {
    worker.once('message', resolve).once('error', reject)
  })
  await worker.terminate()
  latencies.sort((a, b) => a - b)
  const pct = (p: number): number => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]
  return { requests: latencies.length, errors, perSecond: latencies.length / (elapsed / 1000), p50: pct(0.5), p90: pct(0.9), p99: pct(0.99) }
}

/**
 * Counts the rows of a SPARQL 1.1 JSON result chunk by chunk: a row is an object that
 * opens at depth 3 (the document, `results`, then each binding), strings skipped.
 */
export class JsonRowCounter {
  rows = 0
  private depth = 0
  private inString = false
  private escaped = false

  push (chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === 0x5c) this.escaped = true
        else if (c === 0x22) this.inString = false
      } else if (c === 0x22) {
        this.inString = true
      } else if (c === 0x7b) {
        this.depth++
        if (this.depth === 3) this.rows++
      } else if (c === 0x7d) {
        this.depth--
      }
    }
  }
}

export interface StreamFigures {
  status: number
  rows: number
  bytes: number
  /** From the request to the first bytes of the body. */
  firstMs: number
  totalMs: number
  /** The server's RSS (with its children) just before the request, and its peak while answering. */
  rssBefore: number
  rssPeak: number
}

/** GETs `query` as SPARQL JSON and reads it to the end, counting rows; `pid` is the server's process. */
export async function streamQuery (endpoint: string, query: string, pid: number, signal?: AbortSignal): Promise<StreamFigures> {
  const rssBefore = treeRss(pid)
  let rssPeak = rssBefore
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, treeRss(pid)) }, 100)
  try {
    const start = performance.now()
    const res = await fetch(queryUrl(endpoint, query), { headers: { accept: 'application/sparql-results+json' }, signal: signal ?? AbortSignal.timeout(900_000) })
    const counter = new JsonRowCounter()
    let firstMs = NaN
    let bytes = 0
    const reader = res.body!.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (Number.isNaN(firstMs)) firstMs = performance.now() - start
      bytes += value.length
      counter.push(value)
    }
    const totalMs = performance.now() - start
    rssPeak = Math.max(rssPeak, treeRss(pid))
    return { status: res.status, rows: res.ok ? counter.rows : 0, bytes, firstMs, totalMs, rssBefore, rssPeak }
  } finally {
    clearInterval(sampler)
  }
}
