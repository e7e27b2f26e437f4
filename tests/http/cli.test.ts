/**
 * `rhizome serve` with its SPARQL endpoint, as a user runs it (the built bin in a child
 * process): it prints its multiaddrs, then http://H:P/sparql; the endpoint answers
 * queries over the folder's database, serves the query page from the built package and, with --allow-update, commits updates; a port
 * asked for that is in use fails with ERR_PORT_IN_USE naming it; SIGTERM stops it with 0.
 */
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { finished, onDatabase, spawnRhizome, tempFolder } from '../cli/run.js'

const folders: Array<ReturnType<typeof tempFolder>> = []
afterEach(() => { for (const f of folders.splice(0)) f.remove() })

async function database (): Promise<string> {
  const folder = tempFolder()
  folders.push(folder)
  const db = `${folder.path}/db`
  const run = onDatabase(db)
  expect((await run(['init'])).code).toBe(0)
  expect((await run(['import', '-', '--format', 'nt'], { input: '<http://example.org/a> <http://example.org/p> "1" .\n' })).code).toBe(0)
  return db
}

describe('rhizome serve --http-port', () => {
  it('serves the endpoint beside replication and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const db = await database()
    const child = spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0', '--allow-update'])
    const result = finished(child)
    const lines = createInterface({ input: child.stdout! })
    const url = await new Promise<string>((resolve, reject) => {
      lines.on('line', line => { if (line.startsWith('http://')) resolve(line) })
      child.once('exit', code => reject(new Error(`serve exited ${code}`)))
    })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sparql$/)
    const select = await fetch(`${url}?query=${encodeURIComponent('SELECT ?o { ?s ?p ?o }')}`)
    expect((await select.json()).results.bindings).toEqual([{ o: { type: 'literal', value: '1' } }])
    const update = await fetch(url, { method: 'POST', body: 'INSERT DATA { <http://example.org/b> <http://example.org/p> "2" }', headers: { 'content-type': 'application/sparql-update' } })
    expect(update.status).toBe(204)
    const count = await fetch(`${url}?query=${encodeURIComponent('SELECT (COUNT(*) AS ?n) { ?s ?p ?o }')}`, { headers: { accept: 'text/csv' } })
    expect(await count.text()).toBe('n\r\n2\r\n')
    // the built package carries the query page's files (npm run build copies them)
    const page = await fetch(url.replace(/sparql$/, ''))
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('assets/yasgui.min.js')
    expect((await fetch(url.replace(/sparql$/, 'assets/yasgui.min.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    child.kill('SIGTERM')
    const done = await result
    expect(done.code).toBe(0)
    expect(done.stdout.split('\n')[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    expect((await onDatabase(db)(['count'])).stdout.trim()).toBe('2')
  })

  it('fails with ERR_PORT_IN_USE naming a port asked for that is taken', { timeout: 60_000 }, async () => {
    const db = await database()
    const blocker = createServer()
    await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const done = await finished(spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', String(port)]))
      expect(done.code).toBe(1)
      expect(done.stderr).toContain(`port ${port} is already in use`)
      expect(done.stdout).toBe('')
    } finally {
      blocker.close()
    }
  })
})
