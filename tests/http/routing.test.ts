/**
 * The delegated routing API for names on `rhizome serve`'s endpoint (http/routing.ts):
 * GET /routing/v1/ipns/{name} answers the record held with the specification's type,
 * Etag and Cache-Control (60 s on a 404), honours If-None-Match; PUT takes a newer record
 * of a name the replica holds and refuses an older (a replay), a malformed one, one of a
 * name it does not hold, and a wrong media type; other routing paths are 501.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseName, makeRecord, nameSigner, deriveNameKeys, checkRecord } from '../../naming/index.js'
import { generateKeyPair } from '../../merkle-clock/index.js'
import { openGraph, type Graph } from '../../index.js'
import { HttpEndpoint } from '../../http/index.js'

let served: { graph: Graph, url: string, close: () => Promise<void> } | undefined
afterEach(async () => { await served?.close(); served = undefined })
const identity = generateKeyPair()

const RECORD = 'application/vnd.ipfs.ipns-record'

describe('routing API on the SPARQL endpoint', () => {
  it('serves the records held, takes newer ones, and refuses the rest with the specification\'s statuses', async () => {
    const graph = await openGraph({ identity })
    const endpoint = await HttpEndpoint.start(graph, { port: 0 })
    served = { graph, url: endpoint.url, close: async () => { await endpoint.close(); await graph.close() } }
    const published = await served.graph.publish('notes', { ttl: 90_000 })
    const base = served.url.replace(/\/sparql$/, '/routing/v1/ipns/')
    const got = await fetch(base + published.name, { headers: { accept: RECORD } })
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe(RECORD)
    expect(got.headers.get('cache-control')).toBe('public, max-age=90')
    expect(got.headers.get('access-control-allow-origin')).toBe('*')
    const first = new Uint8Array(await got.arrayBuffer())
    expect((await checkRecord(parseName(published.name), first)).sequence).toBe(0n)
    expect((await fetch(base + published.name, { headers: { 'if-none-match': got.headers.get('etag')! } })).status).toBe(304)
    expect((await fetch(base + published.name, { method: 'HEAD' })).status).toBe(200)

    const missing = await fetch(base + parseName((await nameSigner(generateKeyPair())).name.name).name)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBe('public, max-age=60')

    // A newer record of the same name, made elsewhere with the same key, replaces it.
    const { privateKey } = await nameSigner(deriveNameKeys(identity, 'notes'))
    const newer = await makeRecord(privateKey, published.root, 5n)
    const put = async (name: string, body: Uint8Array, type = RECORD): Promise<number> => (await fetch(base + name, { method: 'PUT', headers: { 'content-type': type }, body: Buffer.from(body) })).status
    expect(await put(published.name, newer)).toBe(200)
    expect((await served.graph.resolve(published.name)).sequence).toBe(5n)
    expect(await put(published.name, first)).toBe(400) // a replay of the older one
    expect(await put(published.name, new Uint8Array(11 * 1024))).toBe(400)
    expect(await put(published.name, newer, 'application/octet-stream')).toBe(406)
    const stranger = await nameSigner(generateKeyPair())
    expect(await put(stranger.name.name, await makeRecord(stranger.privateKey, published.root, 1n))).toBe(403)
    expect((await fetch(base + 'notaname')).status).toBe(400)
    expect((await fetch(base + 'k51qzi5uqu5d%zz')).status).toBe(400) // a bad percent-escape (found by the http-request fuzzer)
    expect((await fetch(served.url.replace(/\/sparql$/, '/routing/v1/providers/bafy'))).status).toBe(501)
    expect((await fetch(base + published.name, { method: 'DELETE' })).status).toBe(405)
  })
})
