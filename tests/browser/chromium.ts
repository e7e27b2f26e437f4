/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or
 * RHIZOME_CHROMIUM) driven by playwright-core, started with the flags .ci/run uses.
 * Pages are served from memory at ORIGIN through Playwright's request routing, so no
 * request leaves the browser: no network, and no server to start or stop.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
// @ts-expect-error -- a plain .mjs script, typed by use
import { browserOptions, root } from '../../scripts/browser-build.mjs'

export const CHROMIUM = process.env.RHIZOME_CHROMIUM ?? '/usr/bin/chromium'
// localhost is a secure context (crypto.subtle, which multiformats' sha256 uses); nothing listens there.
export const ORIGIN = 'http://localhost:47311'
/** Why the browser tests skip, or undefined when they run. */
export const skipReason = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; or set RHIZOME_CHROMIUM)`

export async function launch (): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
  })
}

/** Bundles a test page's entry for the browser, with vitest's API replaced by the shim. */
export async function bundle (entry: string): Promise<string> {
  const options = browserOptions([join(root as string, entry)], { write: false, outfile: 'page.js' })
  const vitestShim = {
    name: 'vitest-shim',
    setup (build: esbuild.PluginBuild) {
      build.onResolve({ filter: /^vitest$/ }, () => ({ path: join(root as string, 'tests/browser/vitest-shim.ts') }))
    }
  }
  const result = await esbuild.build({ ...options, plugins: [vitestShim, ...options.plugins] })
  return result.outputFiles![0].text
}

/** Serves `scripts` (path → JavaScript) and an empty page loading `/page.js` at ORIGIN in `context`. */
export async function serve (context: BrowserContext, scripts: Record<string, string>): Promise<void> {
  await context.route(`${ORIGIN}/**`, async route => {
    const path = new URL(route.request().url()).pathname
    if (path === '/' || path === '/index.html') {
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>rhizome test</title><script type="module" src="/page.js"></script>' })
    } else if (scripts[path] !== undefined) {
      await route.fulfill({ contentType: 'text/javascript', body: scripts[path] })
    } else {
      await route.fulfill({ status: 404, body: 'not found' })
    }
  })
}

/** Opens the page and waits until its module has run (it sets window.ready). */
export async function openPage (context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', err => errors.push(err.message))
  await page.goto(`${ORIGIN}/`)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 30_000 }).catch((err: unknown) => {
    throw new Error(`the page did not start: ${errors.join('; ') || String(err)}`)
  })
  return page
}
