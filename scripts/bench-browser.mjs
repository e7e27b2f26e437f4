#!/usr/bin/env node
/**
 * First figures of Rhizome in headless Chromium on IndexedDB (not asserted anywhere;
 * issue 12's full `bench:browser`, with LUBM and Oxigraph beside it, is still to come):
 * an import of N synthetic university triples (N-Triples, one signed commit) into a
 * fresh database, then a new page opening that database and answering a first
 * selective query, then the same query again.
 *
 *   node scripts/bench-browser.mjs [--quads N]      (Chromium at RHIZOME_CHROMIUM or /usr/bin/chromium)
 */
import * as esbuild from 'esbuild'
import { chromium } from 'playwright-core'
import { browserOptions, root } from './browser-build.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const QUADS = arg('quads', 100_000)
const ORIGIN = 'http://localhost:47312'

const page = `
import { openBrowserGraph } from './browser/index.ts'
const U = 'http://bench.example/'
function triples (n) {
  const lines = []
  for (let i = 0; lines.length < n; i++) {
    const s = '<' + U + 'student' + i + '>'
    lines.push(s + ' <' + U + 'type> <' + U + (i % 10 === 0 ? 'GraduateStudent' : 'UndergraduateStudent') + '> .')
    lines.push(s + ' <' + U + 'memberOf> <' + U + 'dept' + (i % 7) + '> .')
    lines.push(s + ' <' + U + 'name> "Student ' + i + '" .')
    lines.push(s + ' <' + U + 'email> "student' + i + '@dept' + (i % 7) + '.example" .')
    lines.push(s + ' <' + U + 'takesCourse> <' + U + 'course' + (i % 500) + '> .')
  }
  return lines.slice(0, n).join('\\n')
}
const QUERY = 'SELECT ?x ?name WHERE { ?x <' + U + 'type> <' + U + 'GraduateStudent> . ?x <' + U + 'memberOf> <' + U + 'dept3> . ?x <' + U + 'name> ?name }'
async function rows (graph) {
  const result = await graph.query(QUERY)
  let n = 0
  for await (const _ of result) n++
  return n
}
window.bench = {
  async load (n) {
    const text = triples(n)
    const t0 = performance.now()
    const graph = await openBrowserGraph({ name: 'bench' })
    const t1 = performance.now()
    const { quads } = await graph.import(text, { format: 'ntriples' })
    const t2 = performance.now()
    await graph.close()
    return { open: t1 - t0, import: t2 - t1, quads }
  },
  async reopen () {
    const t0 = performance.now()
    const graph = await openBrowserGraph({ name: 'bench' })
    const t1 = performance.now()
    const first = await rows(graph)
    const t2 = performance.now()
    await rows(graph)
    const t3 = performance.now()
    const size = await graph.size()
    await graph.close()
    return { open: t1 - t0, firstQuery: t2 - t1, again: t3 - t2, rows: first, size }
  }
}
window.ready = true
`

const result = await esbuild.build(browserOptions([], { stdin: { contents: page, resolveDir: root, sourcefile: 'bench-page.js', loader: 'js' }, write: false, outfile: 'page.js', minify: true }))
const script = result.outputFiles[0].text
const browser = await chromium.launch({
  executablePath: process.env.RHIZOME_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
})
try {
  const context = await browser.newContext()
  await context.route(`${ORIGIN}/**`, async route => {
    const path = new URL(route.request().url()).pathname
    if (path === '/page.js') await route.fulfill({ contentType: 'text/javascript', body: script })
    else await route.fulfill({ contentType: 'text/html', body: '<!doctype html><script type="module" src="/page.js"></script>' })
  })
  const open = async () => {
    const p = await context.newPage()
    await p.goto(`${ORIGIN}/`)
    await p.waitForFunction(() => window.ready === true)
    return p
  }
  const first = await open()
  const load = await first.evaluate(async n => await window.bench.load(n), QUADS)
  await first.close()
  const second = await open()
  const reopen = await second.evaluate(async () => await window.bench.reopen())
  const ms = x => `${x.toFixed(0)} ms`
  process.stdout.write([
    `import of ${load.quads} triples, one commit: ${ms(load.import)} (${Math.round(load.quads / (load.import / 1000))} quads/s; open ${ms(load.open)})`,
    `new page: open ${ms(reopen.open)}, first query ${ms(reopen.firstQuery)} (${reopen.rows} rows), again ${ms(reopen.again)}; ${reopen.size} quads`
  ].join('\n') + '\n')
} finally {
  await browser.close()
}
