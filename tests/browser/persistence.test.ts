/**
 * A graph on IndexedDB in real headless Chromium, through the browser build's public
 * entry (tests/browser/app-page.ts): it survives a reload with the network off, a
 * second tab gets ERR_DATABASE_LOCKED instead of a second writer, and a write the
 * browser refuses for quota is ERR_STORAGE_QUOTA and leaves the graph as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bundle, launch, openPage, ORIGIN, serve, skipReason } from './chromium.js'

type Api = Window['rhizome']
type Rows = Array<Record<string, string>>

let browser: Browser | undefined
let script = ''

beforeAll(async () => {
  if (skipReason !== undefined) return
  script = await bundle('tests/browser/app-page.ts')
  browser = await launch()
})
afterAll(async () => { await browser?.close() })

async function newContext (): Promise<BrowserContext> {
  const context = await browser!.newContext()
  await serve(context, { '/page.js': script })
  return context
}

const call = async <K extends keyof Api>(page: Page, name: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> =>
  await page.evaluate(async ([name, args]) => await (window.rhizome[name] as (...a: unknown[]) => Promise<unknown>)(...args), [name, args] as const) as Awaited<ReturnType<Api[K]>>

/** Tries to open and hold `name` until it opens: the browser frees a closed tab's lock soon, not at once. */
async function holdWithin (page: Page, name: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  let last = ''
  while (Date.now() < deadline) {
    last = await call(page, 'hold', name)
    if (last === 'ok') return
    if (last !== 'ERR_DATABASE_LOCKED') break
    await page.waitForTimeout(50)
  }
  throw new Error(`could not open ${name}: ${last}`)
}

const NOTES = 'SELECT ?n ?text { ?n <urn:text> ?text }'

describe.skipIf(skipReason !== undefined)(`a persistent graph in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('keeps what the page wrote across a reload, with the network off, as the same writer', async () => {
    const context = await newContext()
    try {
      const page = await openPage(context)
      const first = await call(page, 'write', 'notes', 'INSERT DATA { <urn:n1> <urn:text> "hello" . <urn:n2> <urn:text> "world" }')
      expect(first.count).toBe(2)
      // Every request the page makes is answered from memory by the route; offline proves none needs the network.
      await context.setOffline(true)
      await page.reload()
      await page.waitForFunction(() => window.ready === true)
      expect(await call(page, 'select', 'notes', NOTES)).toEqual([{ n: 'urn:n1', text: 'hello' }, { n: 'urn:n2', text: 'world' }] satisfies Rows)
      const after = await call(page, 'info', 'notes')
      expect(after).toEqual(first)
      // The key was kept with the data: the reloaded page may still write.
      const second = await call(page, 'write', 'notes', 'DELETE DATA { <urn:n1> <urn:text> "hello" }')
      expect(second).toEqual({ ...first, count: 1 })
      await page.reload()
      await page.waitForFunction(() => window.ready === true)
      expect(await call(page, 'select', 'notes', NOTES)).toEqual([{ n: 'urn:n2', text: 'world' }])
    } finally {
      await context.close()
    }
  })

  it('gives a second tab ERR_DATABASE_LOCKED while the first has the database open, and the data once it closed', async () => {
    const context = await newContext()
    try {
      const first = await openPage(context)
      await call(first, 'write', 'shared', 'INSERT DATA { <urn:a> <urn:text> "from the first tab" }')
      expect(await call(first, 'hold', 'shared')).toBe('ok')
      const second = await openPage(context)
      expect(await call(second, 'hold', 'shared')).toBe('ERR_DATABASE_LOCKED')
      // Another database of the same origin is not locked.
      expect(await call(second, 'hold', 'other')).toBe('ok')
      await call(second, 'release', 'other')
      await call(first, 'release', 'shared')
      expect(await call(second, 'select', 'shared', NOTES)).toEqual([{ n: 'urn:a', text: 'from the first tab' }])
      // A tab that closes without closing the graph releases it too (the browser drops its lock).
      expect(await call(second, 'hold', 'shared')).toBe('ok')
      await second.close()
      await holdWithin(first, 'shared', 10_000)
    } finally {
      await context.close()
    }
  })

  it('leaves the state before or after a large import when the tab closes during it', async () => {
    const context = await newContext()
    try {
      const page = await openPage(context)
      const before = await call(page, 'write', 'big', 'INSERT DATA { <urn:kept> <urn:text> "before" }')
      const n = 20_000
      expect(await call(page, 'startImport', 'big', n)).toBe('started')
      await page.close()
      const next = await openPage(context)
      await holdWithin(next, 'big', 10_000)
      const after = await call(next, 'info', 'big')
      // One transaction per commit: all of the import or none of it.
      expect([before.count, before.count + n]).toContain(after.count)
      expect(await call(next, 'select', 'big', 'SELECT ?text { <urn:kept> <urn:text> ?text }')).toEqual([{ text: 'before' }])
      // Whichever it was, the graph takes writes (its heads and counters agree with its quads).
      await call(next, 'release', 'big')
      expect((await call(next, 'write', 'big', 'INSERT DATA { <urn:after> <urn:text> "after" }')).count).toBe(after.count + 1)
    } finally {
      await context.close()
    }
  })

  it('answers a write refused for quota with ERR_STORAGE_QUOTA and keeps the graph as it was', async () => {
    const context = await newContext()
    try {
      const page = await openPage(context)
      const cdp = await context.newCDPSession(page)
      // Set before the origin's first database opens: Chromium reads an origin's quota when its storage first opens.
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: 4 * 1024 * 1024 })
      await call(page, 'write', 'quota', 'INSERT DATA { <urn:kept> <urn:text> "before" }')
      // 96 writes of 128 KiB literals (under the 256 Ki maxQueryLength): far past a 4 MiB quota.
      expect(await call(page, 'fill', 'quota', 96, 128 * 1024)).toBe('ERR_STORAGE_QUOTA')
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN })
      const kept = await call(page, 'select', 'quota', 'SELECT ?s { ?s ?p ?o } ORDER BY ?s')
      expect(kept.length).toBeGreaterThan(1)
      expect(kept.length).toBeLessThan(64 + 1)
      // What was reported done is there, and the graph takes writes again.
      expect(kept.some(row => row.s === 'urn:kept')).toBe(true)
      expect((await call(page, 'write', 'quota', 'INSERT DATA { <urn:after> <urn:text> "after" }')).count).toBe(kept.length + 1)
    } finally {
      await context.close()
    }
  })
})
