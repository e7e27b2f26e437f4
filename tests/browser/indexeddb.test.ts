/**
 * The IndexedDB backend in real headless Chromium: the backend compliance suite
 * (tests/store/backend-compliance.ts, the same cases the memory and SQLite backends
 * pass) runs in a page, and each case is reported here as a test of its own.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { bundle, launch, openPage, serve, skipReason } from './chromium.js'

interface CaseResult { name: string, ok: boolean, error?: string, ms: number }

let browser: Browser | undefined
let results: CaseResult[] = []
if (skipReason === undefined) {
  browser = await launch()
  const context = await browser.newContext()
  await serve(context, { '/page.js': await bundle('tests/browser/compliance-page.ts') })
  const page = await openPage(context)
  results = await page.evaluate(async () => await window.runCompliance())
}

afterAll(async () => { await browser?.close() })

describe.skipIf(skipReason !== undefined)(`IndexedDB backend in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  it('runs the whole compliance suite', () => {
    expect(results.length).toBeGreaterThanOrEqual(11)
  })
  for (const result of results) {
    it(result.name, () => {
      if (!result.ok) throw new Error(result.error)
    })
  }
})
