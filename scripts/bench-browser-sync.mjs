#!/usr/bin/env node
/**
 * First figures of browser replication (not asserted anywhere): a `rhizome serve` child
 * process holds a database of N commits of Q quads each (written in Node first), and a
 * page in headless Chromium clones it over WebSockets on loopback: the dial, the manifest
 * and IndexedDB open, then catch-up until the page holds every quad. Then one more commit
 * made with the CLI, and the time until the page has it (announcement, pull, apply).
 * Needs `npm run build` first.
 *
 *   node scripts/bench-browser-sync.mjs [--commits N] [--quads Q]    (defaults 1000 and 10)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import * as esbuild from 'esbuild'
import { chromium } from 'playwright-core'
import { browserOptions, root } from './browser-build.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const COMMITS = arg('commits', 1000)
const PER = arg('quads', 10)
const ORIGIN = 'http://localhost:47313'
const { openGraph, factory: f } = await import(join(root, 'dist', 'index.js'))
const cli = join(root, 'dist', 'cli', 'main.js')

const folder = mkdtempSync(join(tmpdir(), 'rhizome-bench-sync-'))
const db = join(folder, 'db')
const graph = await openGraph({ path: db, create: { open: true } })
const address = graph.address
const t0 = performance.now()
for (let c = 0; c < COMMITS; c++) {
  const quads = []
  for (let q = 0; q < PER; q++) quads.push(f.quad(f.namedNode(`urn:bench:s${c}`), f.namedNode(`urn:bench:p${q}`), f.literal(`value ${c}.${q}`)))
  await graph.insert(quads)
}
const written = performance.now() - t0
const total = await graph.size()
await graph.close()

const page = `
import { createReplicator, openBrowserGraph } from './browser/index.ts'
let graph
const until = (want) => new Promise(resolve => {
  const look = async () => { if (await graph.size() >= want) { graph.removeEventListener('change', look); resolve() } }
  graph.addEventListener('change', look)
  void look()
})
window.bench = {
  async clone (address, peer, want) {
    const t0 = performance.now()
    const replicator = await createReplicator({ peers: [peer], allowInsecureLocal: true })
    const t1 = performance.now()
    graph = await openBrowserGraph({ name: 'clone', address, fetch: replicator.manifestFetcher() })
    const t2 = performance.now()
    await graph.replicateOn(replicator)
    await until(want)
    const t3 = performance.now()
    return { dial: t1 - t0, open: t2 - t1, catchUp: t3 - t2, size: await graph.size(), commits: (await graph.log({ limit: 1e9 })).length }
  },
  async next (want) {
    const t0 = performance.now()
    await until(want)
    return performance.now() - t0
  }
}
window.ready = true
`
const built = await esbuild.build(browserOptions([], { stdin: { contents: page, resolveDir: root, sourcefile: 'bench-sync-page.js', loader: 'js' }, write: false, outfile: 'page.js', minify: true }))
const serve = spawn(process.execPath, [cli, '--db', db, 'serve', '--no-http', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], { stdio: ['ignore', 'pipe', 'inherit'] })
const browser = await chromium.launch({ executablePath: process.env.RHIZOME_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], ...(process.env.DUMPIO ? { dumpio: true } : {}) })
try {
  const peer = await new Promise((resolve, reject) => {
    createInterface({ input: serve.stdout }).on('line', line => { if (/\/ws\/p2p\//.test(line)) resolve(line) })
    serve.once('exit', code => reject(new Error(`serve exited (${code})`)))
  })
  const context = await browser.newContext()
  await context.grantPermissions(['local-network-access'], { origin: ORIGIN })
  await context.route(`${ORIGIN}/**`, async route => {
    const path = new URL(route.request().url()).pathname
    if (path === '/page.js') await route.fulfill({ contentType: 'text/javascript', body: built.outputFiles[0].text })
    else await route.fulfill({ contentType: 'text/html', body: '<!doctype html><script type="module" src="/page.js"></script>' })
  })
  const tab = await context.newPage()
  tab.on('crash', () => process.stderr.write('the page crashed\n'))
  tab.on('pageerror', err => process.stderr.write(`page error: ${err.message}\n`))
  browser.on('disconnected', () => process.stderr.write('Chromium went away\n'))
  await tab.goto(`${ORIGIN}/`)
  await tab.waitForFunction(() => window.ready === true)
  const clone = await tab.evaluate(async ([a, p, n]) => await window.bench.clone(a, p, n), [address, peer, total])
  const waiting = tab.evaluate(async n => await window.bench.next(n), total + 1)
  const t1 = performance.now()
  const update = spawn(process.execPath, [cli, '--db', db, 'update', 'INSERT DATA { <urn:bench:last> <urn:bench:p> "one more" }'], { stdio: 'ignore' })
  await new Promise(resolve => update.once('exit', resolve))
  await waiting
  const next = performance.now() - t1
  const ms = x => `${x.toFixed(0)} ms`
  process.stdout.write([
    `written in Node: ${COMMITS} commits of ${PER} quads (${total} quads) in ${ms(written)}`,
    `page clone over ws: dial ${ms(clone.dial)}, manifest and open ${ms(clone.open)}, catch-up ${ms(clone.catchUp)} (${clone.commits} commits, ${clone.size} quads, ${Math.round(clone.commits / (clone.catchUp / 1000))} commits/s)`,
    `one more commit with the CLI until the page has it: ${ms(next)} (the CLI's own start-up included)`
  ].join('\n') + '\n')
} finally {
  await browser.close()
  const exited = new Promise(resolve => serve.once('exit', resolve))
  serve.kill('SIGTERM')
  await exited
  rmSync(folder, { recursive: true, force: true })
}
