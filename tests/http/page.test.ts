/**
 * The query page in a real browser: headless Chromium (Debian's, driven by
 * playwright-core) opens `/`, a query is put in the editor, run with the editor's
 * button, and its rows show in the results table. Every request the page makes must
 * go to the endpoint itself: requests to any other host are refused and counted, so
 * the page is shown to work offline.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { serve, type Served } from './helpers.js'

const CHROMIUM = process.env.RHIZOME_CHROMIUM ?? '/usr/bin/chromium'
const ASSETS = fileURLToPath(new URL('../../node_modules/@triply/yasgui/build/', import.meta.url))
// .ci/run installs Debian's chromium; a machine without it cannot run a browser test.
const present = existsSync(CHROMIUM)

let served: Served
let browser: Browser
beforeAll(async () => {
  if (!present) return
  served = await serve({ assetsDir: ASSETS })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
})
afterAll(async () => {
  if (!present) return
  await browser.close()
  await served.close()
})

describe.skipIf(!present)(`the query page (needs ${CHROMIUM})`, () => {
  it('runs a query typed in the editor and shows its rows, fetching nothing from elsewhere', { timeout: 60_000 }, async () => {
    const page = await browser.newPage()
    const origin = new URL(served.url).origin
    const foreign: string[] = []
    await page.route('**/*', async route => {
      if (route.request().url().startsWith(origin)) await route.continue()
      else { foreign.push(route.request().url()); await route.abort() }
    })
    await page.goto(origin + '/')
    await page.waitForSelector('.yasqe .CodeMirror')
    await page.evaluate(() => {
      const yasqe = (window as unknown as { yasgui: { getTab: () => { getYasqe: () => { setValue: (q: string) => void } } } }).yasgui.getTab().getYasqe()
      yasqe.setValue('PREFIX ex: <http://example.org/>\nSELECT ?name WHERE { ?s ex:name ?name } ORDER BY ?name')
    })
    await page.click('.yasqe_queryButton')
    await page.waitForSelector('.yasr table td:has-text("Carol")', { timeout: 30_000 })
    const cells = await page.$$eval('.yasr table tbody td', tds => tds.map(td => td.textContent?.trim() ?? ''))
    for (const name of ['"Alice"@en', 'Bob', 'Carol']) expect(cells).toContain(name)
    if (process.env.RHIZOME_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.RHIZOME_SCREENSHOT, fullPage: true })
    expect(foreign).toEqual([])
    await page.close()
  })
})
