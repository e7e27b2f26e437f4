/**
 * Replication between a page in headless Chromium and a real `rhizome serve` child
 * process over WebSockets on loopback (issue 12): the page clones the database served,
 * a change made with the `rhizome` CLI (through the serve's live channel) reaches the
 * page, a change made in the page reaches Node, the page reloaded offline still has it
 * all, back online `graph.replicate({ peers })` catches it up again, and a second
 * browser profile replicating with the same serve exchanges changes with the first. The page is
 * tests/browser/replication-page.ts on the browser build; it dials
 * /ip4/127.0.0.1/tcp/PORT/ws/p2p/ID with `allowInsecureLocal` (and cannot without it).
 * Every wait is on a condition, with a time limit.
 */
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { spawnSync, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bundle, launch, openPage, ORIGIN, serve, skipReason } from './chromium.js'
import { onDatabase, spawnRhizome, tempFolder } from '../cli/run.js'

type Api = Window['replica']
type Rows = Array<Record<string, string>>

const WAIT = 60_000
const NOTES = 'SELECT ?n ?text { ?n <urn:text> ?text }'

let browser: Browser | undefined
let context: BrowserContext | undefined
let page: Page | undefined
const servers: ChildProcess[] = []
const folder = tempFolder()
const db = join(folder.path, 'db')
const cli = onDatabase(db)
let address = ''
let peer = ''
let firstWriter = ''

const callOn = async <K extends keyof Api>(on: Page, name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> =>
  await on.evaluate(async ([name, args]) => await (window.replica[name] as (...a: unknown[]) => Promise<unknown>)(...args), [name, args] as const) as Awaited<ReturnType<Api[K]>>
const call = async <K extends keyof Api>(name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> => await callOn(page!, name, ...args)

/** Starts `rhizome serve` on `folder` with `args`; resolves with the first multiaddr it prints that matches `pattern`. */
async function startServe (folder: string, args: string[], pattern: RegExp): Promise<string> {
  const child = spawnRhizome(['--db', folder, 'serve', '--no-http', ...args])
  servers.push(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  return await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => { if (pattern.test(line)) resolve(line) })
    child.once('exit', code => reject(new Error(`serve exited ${String(code)} without an address like ${String(pattern)}: ${stderr}`)))
  })
}

/** A browser context serving the page, allowed to reach loopback (Chromium's Local Network Access, as a user would allow it). */
async function pageContext (script: string, options: { ignoreHTTPSErrors?: boolean } = {}): Promise<BrowserContext> {
  const made = await browser!.newContext(options)
  // A page Chromium did not load from a loopback address (this one comes from Playwright's routing) must be allowed to reach one.
  await made.grantPermissions(['local-network-access'], { origin: ORIGIN })
  await serve(made, { '/page.js': script })
  return made
}

/** The rows of a query run with the CLI (through the running serve). */
async function nodeRows (query: string): Promise<Rows> {
  const result = await cli(['query', '--format', 'json', query])
  if (result.code !== 0) throw new Error(`rhizome query exited ${String(result.code)}: ${result.stderr}`)
  const json = JSON.parse(result.stdout) as { results: { bindings: Array<Record<string, { value: string }>> } }
  return json.results.bindings.map(b => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value])))
}

/** Runs the CLI query again as soon as it answered until its rows include `want`; rejects after `ms`. */
async function untilNodeHas (query: string, want: Rows, ms: number): Promise<Rows> {
  const end = Date.now() + ms
  for (;;) {
    const rows = await nodeRows(query)
    if (want.every(w => rows.some(r => JSON.stringify(r) === JSON.stringify(w)))) return rows
    if (Date.now() > end) throw new Error(`Node did not get ${JSON.stringify(want)} within ${ms} ms: ${JSON.stringify(rows)}`)
  }
}

let script = ''

beforeAll(async () => {
  if (skipReason !== undefined) return
  script = await bundle('tests/browser/replication-page.ts')
  const init = await cli(['init', '--open', '--name', 'shared notes'])
  expect(init.code, init.stderr).toBe(0)
  address = init.stdout.trim()
  expect((await cli(['update', 'INSERT DATA { <urn:n1> <urn:text> "written in Node before the page came" }'])).code).toBe(0)
  peer = await startServe(db, [], /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/\w+$/)
  browser = await launch()
  context = await pageContext(script)
  page = await openPage(context)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all(servers.filter(s => s.exitCode === null).map(async server => {
    const exited = new Promise(resolve => server.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }))
  folder.remove()
})

describe.skipIf(skipReason !== undefined)(`a page replicating with rhizome serve over WebSockets${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('refuses ws:// to loopback by default: dialling it needs allowInsecureLocal', { timeout: WAIT }, async () => {
    expect(await call('dialDefault', peer)).toBe('ERR_PEER_UNREACHABLE')
  })

  it('clones the database served and gets what Node wrote, then a change made with the CLI', { timeout: 3 * WAIT }, async () => {
    const opened = await call('clone', 'notes', address, peer)
    expect(opened.address).toBe(address)
    firstWriter = opened.writer
    expect(await call('peers', 'notes')).toEqual([peer.split('/p2p/')[1]])
    await call('until', 'notes', NOTES, [{ n: 'urn:n1', text: 'written in Node before the page came' }], WAIT)
    const update = await cli(['update', 'INSERT DATA { <urn:n2> <urn:text> "written with the CLI while the page was open" }'])
    expect(update.code, update.stderr).toBe(0)
    const rows = await call('until', 'notes', NOTES, [{ n: 'urn:n2', text: 'written with the CLI while the page was open' }], WAIT)
    expect(rows).toHaveLength(2)
  })

  it('clones a database of more commits than one catch-up window (1,500 > 1,024), whole', { timeout: 3 * WAIT }, async () => {
    // A browser has no setImmediate: the catch-up's turn of the event loop between windows
    // threw there, and a clone past 1,024 commits never ended.
    const bigDb = join(folder.path, 'big')
    const { openGraph, factory: f } = await import('../../index.js')
    const big = await openGraph({ path: bigDb, create: { open: true } })
    for (let i = 0; i < 1_500; i++) await big.insert([f.quad(f.namedNode(`urn:big:${i}`), f.namedNode('urn:n'), f.literal(String(i)))])
    const bigAddress = big.address
    await big.close()
    const bigPeer = await startServe(bigDb, [], /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/\w+$/)
    expect((await call('clone', 'big', bigAddress, bigPeer)).address).toBe(bigAddress)
    await call('until', 'big', 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }', [{ n: '1500' }], 2 * WAIT)
    // A query long enough to let the event loop turn (the engine does every few thousand
    // steps): that too used setImmediate, and failed in a browser.
    const values = Array.from({ length: 16 }, (_, i) => i).join(' ')
    expect(await call('select', 'big', `SELECT (COUNT(*) AS ?n) { ?s <urn:n> ?o . VALUES ?k { ${values} } FILTER(?k >= 0) }`)).toEqual([{ n: '24000' }])
  })

  it('sends a change made in the page to Node', { timeout: 2 * WAIT }, async () => {
    await call('update', 'notes', 'DELETE DATA { <urn:n1> <urn:text> "written in Node before the page came" } ; INSERT DATA { <urn:n3> <urn:text> "written in the page" }')
    const rows = await untilNodeHas(NOTES, [{ n: 'urn:n3', text: 'written in the page' }], WAIT)
    expect(rows.map(r => r.n).sort()).toEqual(['urn:n2', 'urn:n3'])
  })

  it('still has the data when reloaded offline, and catches up again with graph.replicate once online', { timeout: 3 * WAIT }, async () => {
    const want = [{ n: 'urn:n2', text: 'written with the CLI while the page was open' }, { n: 'urn:n3', text: 'written in the page' }]
    await context!.setOffline(true)
    await page!.reload()
    await page!.waitForFunction(() => window.ready === true)
    await call('open', 'notes')
    expect(await call('select', 'notes', NOTES)).toEqual(want)
    await call('close', 'notes')
    // Node writes while the page is away; the page, online again, replicates through graph.replicate.
    expect((await cli(['update', 'INSERT DATA { <urn:n4> <urn:text> "written while the page was offline" }'])).code).toBe(0)
    await context!.setOffline(false)
    await page!.reload()
    await page!.waitForFunction(() => window.ready === true)
    expect((await call('open', 'notes', peer)).address).toBe(address)
    const rows = await call('until', 'notes', NOTES, [{ n: 'urn:n4', text: 'written while the page was offline' }], WAIT)
    expect(rows).toEqual([...want, { n: 'urn:n4', text: 'written while the page was offline' }])
  })

  it('relays between two browsers through the serve: what one page writes reaches another', { timeout: 3 * WAIT }, async () => {
    // Another browser profile: its own IndexedDB, its own writer key.
    const other = await pageContext(script)
    try {
      const tab = await openPage(other)
      const second = await callOn(tab, 'clone', 'notes', address, peer)
      expect(second.writer).not.toBe(firstWriter)
      await callOn(tab, 'until', 'notes', NOTES, [{ n: 'urn:n4', text: 'written while the page was offline' }], WAIT)
      await call('update', 'notes', 'INSERT DATA { <urn:n5> <urn:text> "from the first browser to the second" }')
      await callOn(tab, 'until', 'notes', NOTES, [{ n: 'urn:n5', text: 'from the first browser to the second' }], WAIT)
      await callOn(tab, 'update', 'notes', 'INSERT DATA { <urn:n6> <urn:text> "and back" }')
      const first = await call('until', 'notes', NOTES, [{ n: 'urn:n6', text: 'and back' }], WAIT)
      // The three replicas converge: the same rows in both pages and in Node.
      const node = await untilNodeHas(NOTES, first, WAIT)
      expect(await callOn(tab, 'until', 'notes', NOTES, first, WAIT)).toEqual(first)
      expect([...node].sort((a, b) => a.n < b.n ? -1 : 1)).toEqual(first)
    } finally {
      await other.close()
    }
  })
})

const openssl = spawnSync('openssl', ['version']).status === 0

describe.skipIf(skipReason !== undefined || !openssl)(`a page replicating with rhizome serve over secure WebSockets${openssl ? '' : ' (skipped: no openssl to make a certificate)'}`, () => {
  it('dials /tls/ws on a serve given --tls-cert and --tls-key, and clones the database', { timeout: 3 * WAIT }, async () => {
    const tls = join(folder.path, 'tls')
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(folder.path, 'key.pem'), '-out', join(folder.path, 'cert.pem')])
    expect(made.status, made.stderr.toString()).toBe(0)
    const init = await onDatabase(tls)(['init', '--open'])
    expect(init.code, init.stderr).toBe(0)
    expect((await onDatabase(tls)(['update', 'INSERT DATA { <urn:t1> <urn:text> "over TLS" }'])).code).toBe(0)
    const secure = await startServe(tls, ['--listen', '/ip4/127.0.0.1/tcp/0/tls/ws', '--tls-cert', join(folder.path, 'cert.pem'), '--tls-key', join(folder.path, 'key.pem')],
      /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/tls\/ws\/p2p\/\w+$/)
    // The certificate is self-signed: this context trusts it as a browser would trust a CA-issued one.
    const trusting = await pageContext(script, { ignoreHTTPSErrors: true })
    try {
      const tab = await openPage(trusting)
      expect((await callOn(tab, 'clone', 'tls', init.stdout.trim(), secure)).address).toBe(init.stdout.trim())
      expect(await callOn(tab, 'until', 'tls', NOTES, [{ n: 'urn:t1', text: 'over TLS' }], WAIT)).toEqual([{ n: 'urn:t1', text: 'over TLS' }])
    } finally {
      await trusting.close()
    }
  })
})
