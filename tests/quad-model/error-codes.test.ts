/** One closed set of error codes, and one abort code whatever layer stops. */
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, openGraph, RhizomeError, withTimeout } from '../../index.js'
import { withTimeout as fromQuadModel } from '../../quad-model/index.js'

describe('error codes', () => {
  it('are named ERR_… and each says what it means', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^ERR_[A-Z0-9_]+$/)
      expect(meaning.length, code).toBeGreaterThan(10)
    }
  })

  it('an aborted query, import and write all end with ERR_ABORTED', async () => {
    const graph = await openGraph()
    await graph.import('<http://e/a> <http://e/p> "1" .\n', { format: 'nt' })
    const stopped = AbortSignal.abort()
    const codes: string[] = []
    const record = (err: unknown): void => { codes.push(err instanceof RhizomeError ? err.code : String(err)) }
    await graph.query('SELECT * { ?s ?p ?o }', { signal: stopped }).then(async r => { for await (const _ of r as AsyncIterable<unknown>) { /* drain */ } }).catch(record)
    await graph.import('<http://e/b> <http://e/p> "2" .\n', { format: 'nt', signal: stopped }).catch(record)
    await graph.insert([], { signal: stopped }).catch(record)
    expect(codes).toEqual(['ERR_ABORTED', 'ERR_ABORTED', 'ERR_ABORTED'])
    await graph.close()
  })

  it('withTimeout keeps the caller\'s signal and adds the limit', async () => {
    expect(withTimeout).toBe(fromQuadModel)
    const caller = new AbortController()
    const combined = withTimeout(caller.signal, 60_000)
    expect(combined.aborted).toBe(false)
    caller.abort(new Error('stop'))
    expect(combined.aborted).toBe(true)
    const limited = withTimeout(undefined, 1)
    await new Promise<void>(resolve => limited.addEventListener('abort', () => resolve(), { once: true }))
    expect((limited.reason as Error).name).toBe('TimeoutError')
  })
})
