/**
 * The endpoint under load and abuse: a query past its time limit is stopped (503, and
 * the request's slot is freed); a client that goes away stops its query; a slow query
 * does not stall a small one; past `maxConcurrent` running requests the answer is 503
 * with Retry-After; a large result streams (its first rows arrive as separate chunks
 * long before the end) and the rows are all there.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { get, serve, until, type Served } from './helpers.js'

let served: Served | undefined
afterEach(async () => { await served?.close(); served = undefined })

/** n triples <s_i> <p> i: a triple join over them has n³ rows, work no timeout should outlast. */
function numbered (n: number): string {
  const lines: string[] = []
  for (let i = 0; i < n; i++) lines.push(`<http://example.org/s${i}> <http://example.org/p> ${i} .`)
  return lines.join('\n') + '\n'
}

const SLOW = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f FILTER(?b + ?d + ?f > -1) }'

describe('limits', () => {
  it('a query past its time limit answers 503 and frees its slot; a small query is not stalled meanwhile', async () => {
    served = await serve({ timeoutMs: 1500 }, numbered(500))
    const started = Date.now()
    const slow = get(served.url, SLOW)
    await until(() => served!.endpoint.active === 1)
    const small = Date.now()
    const quick = await get(served.url, 'ASK { <http://example.org/s7> ?p 7 }')
    expect((await quick.json()).boolean).toBe(true)
    const smallMs = Date.now() - small
    const res = await slow
    expect(res.status).toBe(503)
    expect(await res.text()).toMatch(/time limit of 1500 ms/)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(smallMs).toBeLessThan(1500)
    await until(() => served!.endpoint.active === 0)
  })

  it('a client that disconnects stops its query', async () => {
    served = await serve({ timeoutMs: 600_000 }, numbered(500))
    const controller = new AbortController()
    const slow = get(served.url, SLOW, undefined, controller.signal).catch((err: Error) => err)
    await until(() => served!.endpoint.active === 1)
    controller.abort()
    expect(await slow).toBeInstanceOf(Error)
    // The handler returns only once the engine has stopped: the slot comes back long before the query could end.
    await until(() => served!.endpoint.active === 0, 10_000)
  })

  it('answers 503 with Retry-After past maxConcurrent running requests', async () => {
    served = await serve({ maxConcurrent: 1, timeoutMs: 600_000 }, numbered(500))
    const controller = new AbortController()
    const slow = get(served.url, SLOW, undefined, controller.signal).catch((err: Error) => err)
    await until(() => served!.endpoint.active === 1)
    const busy = await get(served.url, 'ASK {}')
    expect(busy.status).toBe(503)
    expect(busy.headers.get('retry-after')).toBe('1')
    controller.abort()
    await slow
    await until(() => served!.endpoint.active === 0)
    expect((await get(served.url, 'ASK {}')).status).toBe(200)
  })

  it('streams a large SELECT: the first rows come in their own chunks, every row arrives', async () => {
    const n = 50_000
    served = await serve({}, numbered(n))
    const res = await get(served.url, 'SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o }', 'text/tab-separated-values')
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let chunks = 0
    let text = ''
    let firstChunk = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks++
      const part = decoder.decode(value, { stream: true })
      if (chunks === 1) firstChunk = part
      text += part
    }
    expect(firstChunk.length).toBeLessThan(text.length / 10)
    expect(chunks).toBeGreaterThan(5)
    expect(text.split('\n').filter(line => line !== '').length).toBe(n + 1)
  })
})
