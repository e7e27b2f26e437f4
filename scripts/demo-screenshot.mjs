#!/usr/bin/env node
/**
 * docs/demo.png: the Shared notes demo (examples/notes/, `npm run demo`) in headless
 * Chromium, driven by playwright-core. Starts the demo on a fresh database in a temporary
 * folder, waits for the page to be connected and in sync, adds and edits a note in the
 * page and adds one with the `rhizome` CLI (through the demo's serve), waits for them,
 * and takes the screenshot. Needs `npm run build` first.
 *
 *   node scripts/demo-screenshot.mjs [OUT]    (default docs/demo.png)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = resolve(process.argv[2] ?? join(root, 'docs', 'demo.png'))
const folder = mkdtempSync(join(tmpdir(), 'rhizome-demo-'))
const db = join(folder, 'db')
const cli = join(root, 'dist', 'cli', 'main.js')

const demo = spawn(process.execPath, [join(root, 'dist', 'examples', 'notes', 'demo.js')], { env: { ...process.env, PORT: '0', RHIZOME_DEMO_DB: db }, stdio: ['ignore', 'pipe', 'inherit'] })
let browser
try {
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: demo.stdout }).on('line', line => { if (line.startsWith('Shared notes: ')) resolve(line.slice('Shared notes: '.length)) })
    demo.once('exit', code => reject(new Error(`the demo exited (${code})`)))
  })
  const { serveWriter } = await (await fetch(new URL('/config.json', url))).json()
  browser = await chromium.launch({ executablePath: process.env.RHIZOME_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  page.on('pageerror', err => console.error('page error:', err.message))
  await page.goto(url)
  const limit = { timeout: 60_000 }
  await page.waitForSelector('body[data-connected="yes"][data-sync="synced"][data-notes="2"]', limit)
  await page.fill('#draft', 'Notes are schema:NoteDigitalDocument resources: add, edit and remove are SPARQL updates, each one signed commit.')
  await page.click('#composer button')
  await page.waitForSelector('body[data-notes="3"]', limit)
  // An edit: the old text, time and editor removed, the new ones added, in one commit.
  await page.locator('article.note', { hasText: 'Open this page' }).getByRole('button', { name: 'Edit' }).click()
  await page.locator('article.note.edit textarea').fill('Open this page in a second browser: edits show up in both, and in rhizome query.')
  await page.locator('article.note.edit').getByRole('button', { name: 'Save' }).click()
  await page.waitForSelector('article.note:has-text("and in rhizome query")', limit)
  const update = `PREFIX s: <http://schema.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { <urn:uuid:4b7e0a52-1f0e-4a3c-9d55-0c1a6a1b2c03> a s:NoteDigitalDocument ; s:text "Written with the rhizome CLI in Node, through the running serve." ;
  s:dateModified "${new Date().toISOString()}"^^xsd:dateTime ; s:editor <${serveWriter}> }`
  const written = spawn(process.execPath, [cli, '--db', db, 'update', update], { stdio: 'inherit' })
  const code = await new Promise(resolve => written.once('exit', resolve))
  if (code !== 0) throw new Error(`rhizome update exited ${code}`)
  await page.waitForSelector('body[data-notes="4"][data-sync="synced"]', limit)
  await page.screenshot({ path: out })
  console.log(`wrote ${out}`)
} finally {
  await browser?.close()
  const exited = new Promise(resolve => demo.once('exit', resolve))
  demo.kill('SIGTERM')
  await exited
  rmSync(folder, { recursive: true, force: true })
}
