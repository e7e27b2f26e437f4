/**
 * SERVICE (federated query) against a second `rhizome serve`, run as a user runs it (its
 * own process, on a free port): joined with local data, by a constant endpoint and by one
 * bound in the data, with SILENT as the recommendation says; off unless the endpoint is
 * allowed (in graph.query, `rhizome query --service`, `rhizome serve --allow-service`);
 * failed, malformed and oversized answers are ERR_SERVICE_FAILED.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openGraph, type Graph } from '../../index.js'
import { toArray } from '../../query/index.js'
import { finished, onDatabase, spawnRhizome, tempFolder, type Result } from '../cli/run.js'
import { get, serve } from './helpers.js'

const REMOTE = `@prefix ex: <http://example.org/> .
ex:alice ex:likes ex:rdf .
ex:bob ex:likes ex:sparql .
ex:bob ex:likes ex:ipfs .
`

let folder: ReturnType<typeof tempFolder>
let remote: { url: string, stop: () => Promise<Result> }
let local: Graph
let closedPort: string

async function rows (text: string, allow?: string[]): Promise<string[]> {
  const result = await local.query(text, { federation: allow === undefined ? undefined : { allow } })
  if (result.type !== 'bindings') throw new Error('expected bindings')
  return (await toArray(result)).map(s => [...s].map(([k, v]) => `${k}=${v.value}`).sort().join(' ')).sort()
}

beforeAll(async () => {
  folder = tempFolder()
  const db = `${folder.path}/remote`
  const run = onDatabase(db)
  expect((await run(['init'])).code).toBe(0)
  expect((await run(['import', '-', '--format', 'ttl'], { input: REMOTE })).code).toBe(0)
  const child = spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'])
  const done = finished(child)
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => { if (line.startsWith('http://')) resolve(line) })
    child.once('exit', code => reject(new Error(`serve exited ${code}`)))
  })
  remote = { url, stop: async () => { child.kill('SIGTERM'); return await done } }
  local = await openGraph()
  await local.import(`@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:endpoint <${url}> .
ex:bob ex:name "Bob" .
ex:carol ex:name "Carol" .
`, { format: 'turtle' })
  // A port nothing listens on: taken, then let go.
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  closedPort = `http://127.0.0.1:${(blocker.address() as AddressInfo).port}/sparql`
  await new Promise<void>(resolve => blocker.close(() => resolve()))
}, 120_000)

afterAll(async () => {
  await local?.close()
  expect((await remote?.stop())?.code).toBe(0)
  folder?.remove()
})

describe('SERVICE against a second rhizome serve', () => {
  it('joins the remote solutions with local ones', async () => {
    expect(await rows(`PREFIX ex: <http://example.org/> SELECT ?name ?topic WHERE { ?p ex:name ?name SERVICE <${remote.url}> { ?p ex:likes ?topic } }`, [remote.url])).toEqual([
      'name=Alice topic=http://example.org/rdf',
      'name=Bob topic=http://example.org/ipfs',
      'name=Bob topic=http://example.org/sparql'
    ])
  })

  it('keeps local solutions through OPTIONAL, and calls an endpoint bound by the data', async () => {
    expect(await rows(`PREFIX ex: <http://example.org/> SELECT ?name ?topic WHERE { ?p ex:name ?name OPTIONAL { SERVICE <${remote.url}> { ?p ex:likes ?topic } } }`, [remote.url])).toEqual([
      'name=Alice topic=http://example.org/rdf',
      'name=Bob topic=http://example.org/ipfs',
      'name=Bob topic=http://example.org/sparql',
      'name=Carol'
    ])
    expect(await rows('PREFIX ex: <http://example.org/> SELECT ?p ?topic WHERE { ?p ex:endpoint ?e SERVICE ?e { ?p ex:likes ?topic } }', [remote.url])).toEqual([
      'p=http://example.org/alice topic=http://example.org/rdf'
    ])
  })

  it('is off unless the endpoint is allowed, SILENT or not', async () => {
    const query = `SELECT * WHERE { SERVICE SILENT <${remote.url}> { ?s ?p ?o } }`
    await expect(rows(query)).rejects.toMatchObject({ code: 'ERR_SERVICE_FORBIDDEN' })
    await expect(rows(query, ['http://127.0.0.1:1/'])).rejects.toMatchObject({ code: 'ERR_SERVICE_FORBIDDEN' })
  })

  it('fails with ERR_SERVICE_FAILED when the endpoint is down, and SILENT gives one empty solution', async () => {
    await expect(rows(`SELECT * WHERE { SERVICE <${closedPort}> { ?s ?p ?o } }`, ['*'])).rejects.toMatchObject({ code: 'ERR_SERVICE_FAILED' })
    expect(await rows(`PREFIX ex: <http://example.org/> SELECT ?name ?o WHERE { ex:carol ex:name ?name SERVICE SILENT <${closedPort}> { ?s ?p ?o } }`, ['*'])).toEqual(['name=Carol'])
  })
})

describe('SERVICE answers that are not results', () => {
  let junk: Server
  let base: string
  beforeAll(async () => {
    junk = createServer((req, res) => {
      if (req.url === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end('<html>hello</html>')
      } else if (req.url === '/error') {
        res.writeHead(500)
        res.end('boom')
      } else {
        res.writeHead(200, { 'content-type': 'application/sparql-results+json' })
        res.end(JSON.stringify({ head: { vars: ['x'] }, results: { bindings: Array.from({ length: 50 }, (_, i) => ({ x: { type: 'literal', value: String(i) } })) } }))
      }
    })
    await new Promise<void>(resolve => junk.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(junk.address() as AddressInfo).port}`
  })
  afterAll(async () => { await new Promise<void>(resolve => junk.close(() => resolve())) })

  it('are ERR_SERVICE_FAILED: not JSON results, an HTTP error, too many solutions or bytes', async () => {
    for (const path of ['/html', '/error']) {
      await expect(rows(`SELECT * WHERE { SERVICE <${base}${path}> { ?x ?y ?z } }`, [base])).rejects.toMatchObject({ code: 'ERR_SERVICE_FAILED' })
    }
    const query = `SELECT * WHERE { SERVICE <${base}/rows> { ?x ?y ?z } }`
    expect(await rows(query, [base])).toHaveLength(50)
    for (const limits of [{ maxResults: 49 }, { maxBytes: 100 }]) {
      const result = local.query(query, { federation: { allow: [base], ...limits } }).then(async r => await toArray(r as AsyncIterable<unknown>))
      await expect(result).rejects.toMatchObject({ code: 'ERR_SERVICE_FAILED' })
    }
  })
})

describe('SERVICE from the command line and the endpoint', () => {
  it('rhizome query --service allows an endpoint; without it the query fails with the reason', { timeout: 60_000 }, async () => {
    const run = onDatabase(`${folder.path}/local`)
    expect((await run(['init'])).code).toBe(0)
    expect((await run(['import', '-', '--format', 'nt'], { input: '<http://example.org/bob> <http://example.org/name> "Bob" .\n' })).code).toBe(0)
    const query = `SELECT ?topic WHERE { ?p <http://example.org/name> "Bob" SERVICE <${remote.url}> { ?p <http://example.org/likes> ?topic } } ORDER BY ?topic`
    const allowed = await run(['query', '-f', 'csv', '--service', remote.url, query])
    expect(allowed).toMatchObject({ code: 0, stdout: 'topic\r\nhttp://example.org/ipfs\r\nhttp://example.org/sparql\r\n' })
    const refused = await run(['query', '-f', 'csv', query])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('is not allowed')
  })

  it('an endpoint calls out only with --allow-service (403 otherwise), and says so in its description', async () => {
    const query = `SELECT ?o WHERE { SERVICE <${remote.url}> { ?s <http://example.org/likes> ?o } }`
    const closed = await serve()
    const open = await serve({ services: [remote.url] })
    try {
      const refused = await get(closed.url, query)
      expect(refused.status).toBe(403)
      expect(await refused.text()).toContain('is not allowed')
      const answered = await get(open.url, query, 'application/sparql-results+json')
      expect(answered.status).toBe(200)
      expect((await answered.json()).results.bindings).toHaveLength(3)
      expect(await (await fetch(open.url)).text()).toContain('BasicFederatedQuery')
      expect(await (await fetch(closed.url)).text()).not.toContain('BasicFederatedQuery')
    } finally {
      await closed.close()
      await open.close()
    }
  })
})
