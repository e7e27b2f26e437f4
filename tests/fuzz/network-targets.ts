/**
 * Fuzz targets for what arrives from the network: gossip announcements, catch-up
 * requests and frames, commit nodes (hashed anew, so the decoder past the hash check
 * is what is fuzzed), IPNS records (as a name's topic, Fetch and the routing API hand
 * them to a NameBook), and raw HTTP requests to the endpoint (updates on, so a failed
 * write that changed the graph is a partial apply).
 */
import { connect } from 'node:net'
import * as dagCbor from '@ipld/dag-cbor'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { openGraph, RhizomeError } from '../../index.js'
import { HttpEndpoint } from '../../http/index.js'
import { verifyNode, WriterSet } from '../../merkle-clock/index.js'
import { decodeAnnouncement, decodeFrame, decodeRequest, encodeAnnouncement, encodeBlockFrame, encodeEndFrame, encodeRequest, FRAME_NODE } from '../../replication/wire.js'
import { encodeRoot, makeRecord, memoryNameStorage, NameBook, nameSigner, parseName } from '../../naming/index.js'
import { generateKeyPair } from '../../merkle-clock/index.js'
import type { Target } from './harness.js'
import { mutatedBytes, mutatedText } from './mutate.js'
import { DATA } from './corpus.js'

const showBytes = (b: Uint8Array): string => Buffer.from(b).toString('base64')

/** A target over a synchronous or async decoder of bytes. */
function decoderTarget (name: string, corpus: Uint8Array[], decode: (bytes: Uint8Array) => unknown): Target<Uint8Array> {
  return { name, inputs: mutatedBytes(corpus), show: showBytes, run: async bytes => { await decode(bytes); return 'ok' } }
}

async function sampleCommit (): Promise<{ db: CID, writers: WriterSet, node: Uint8Array, head: CID, close: () => Promise<void> }> {
  const graph = await openGraph({ create: { name: 'fuzz-net' } })
  await graph.import(DATA, { format: 'trig' })
  const [head] = await graph.heads()
  const node = (await graph.blocks.get(head!))!
  return { db: graph.addressCid, writers: new WriterSet(graph.manifest), node, head: head!, close: async () => await graph.close() }
}

export async function announcementTarget (): Promise<Target<Uint8Array>> {
  const { head, close } = await sampleCommit()
  return { ...decoderTarget('announcement', [encodeAnnouncement([head]), encodeAnnouncement([head, head])], decodeAnnouncement), close }
}

export async function catchupTarget (): Promise<Target<Uint8Array>> {
  const { head, node, close } = await sampleCommit()
  const corpus = [encodeRequest({ db: head, have: [head], manifest: true, max: 100 }), encodeBlockFrame(FRAME_NODE, head, node), encodeEndFrame({ sent: 1, more: false })]
  return { ...decoderTarget('catchup', corpus, bytes => { try { decodeRequest(bytes) } catch (err) { if (!(err instanceof RhizomeError)) throw err } return decodeFrame(bytes) }), close }
}

export async function nodeTarget (): Promise<Target<Uint8Array>> {
  const { db, writers, node, close } = await sampleCommit()
  return {
    ...decoderTarget('commit-node', [node], async bytes => verifyNode(CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes, db, writers)),
    close
  }
}

export async function ipnsTarget (): Promise<Target<Uint8Array>> {
  const { privateKey, name } = await nameSigner(generateKeyPair())
  const root = await encodeRoot({ database: CID.parse('bafyreiel33qbtxy33o47glfgucyew6xlql3olpd24ls3dtp4mvbpspasaa'), heads: [] })
  const corpus = [await makeRecord(privateKey, root.cid, 1n), await makeRecord(privateKey, root.cid, 2n, 60_000)]
  const book = await NameBook.open(memoryNameStorage())
  const parsed = parseName(name.name)
  return decoderTarget('ipns-record', corpus, async bytes => {
    await book.offer(parsed, bytes, { strict: true }).catch(err => { if (!(err instanceof RhizomeError && err.code === 'ERR_RECORD_REPLAYED')) throw err })
    await book.root(parsed.name, book.held(parsed.name)!).catch(err => { if (!(err instanceof RhizomeError)) throw err })
  })
}

const HTTP_CORPUS = [
  'GET /sparql?query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\nConnection: close\r\n\r\n',
  'POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 25\r\nConnection: close\r\n\r\nASK { ?s ?p ?o FILTER(1) }',
  'POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\nContent-Length: 45\r\nConnection: close\r\n\r\nINSERT DATA { <urn:a> <urn:b> "c" } ; CLEAR ALL',
  'PUT /store?graph=urn:g HTTP/1.1\r\nHost: x\r\nContent-Type: text/turtle\r\nContent-Length: 22\r\nConnection: close\r\n\r\n<urn:a> <urn:b> "c" .\n',
  'GET /routing/v1/ipns/k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc HTTP/1.1\r\nHost: x\r\nAccept: application/vnd.ipfs.ipns-record\r\nConnection: close\r\n\r\n',
  'DELETE /store?default HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
]
const HTTP_TOKENS = ['\r\n', ' ', '%', '%00', '?', '&', '=', 'query=', 'update=', 'graph=', 'Content-Length: 99999\r\n', 'Transfer-Encoding: chunked\r\n', '{', '}', '<', '>', '"', 'SELECT', 'INSERT', 'LOAD <file:///etc/passwd>', 'SERVICE <http://127.0.0.1:1/>', '\u0000', '/../', '#']

/** Sends raw bytes; resolves with the response's status, or 0 when the server closed without one. */
async function rawRequest (port: number, text: string, signal: AbortSignal): Promise<number> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let head = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => { if (head.length < 64) head += chunk })
    socket.on('error', () => {})
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)))
    signal.addEventListener('abort', () => { socket.destroy(); reject(new RhizomeError('ERR_ABORTED', 'the request was aborted')) }, { once: true })
    socket.end(Buffer.from(text, 'latin1'))
  })
}

export async function httpTarget (): Promise<Target<string>> {
  const graph = await openGraph({ create: { name: 'fuzz-http' } })
  await graph.import(DATA, { format: 'trig' })
  const endpoint = await HttpEndpoint.start(graph, { port: 0, allowUpdate: true, timeoutMs: 2_000 })
  const headsOf = async (): Promise<string> => (await graph.heads()).map(String).sort().join(' ')
  return {
    name: 'http-request',
    inputs: mutatedText(HTTP_CORPUS, HTTP_TOKENS),
    show: s => JSON.stringify(s),
    run: async (text, signal) => {
      const before = await headsOf()
      const status = await rawRequest(endpoint.port, text, signal)
      // 500 is the server's answer to an error it did not expect: a crash.
      if (status === 500) throw new Error('the endpoint answered 500')
      // A request that only reads must never change the graph (one text may carry several
      // pipelined requests, so one naming a write method may commit and be answered 4xx after).
      if (!/POST|PUT|DELETE/.test(text) && await headsOf() !== before) return 'partial'
      return 'ok'
    },
    close: async () => { await endpoint.close(); await graph.close() }
  }
}

export const NETWORK_TARGET_NAMES = ['announcement', 'catchup', 'commit-node', 'ipns-record', 'http-request'] as const
export type NetworkTargetName = typeof NETWORK_TARGET_NAMES[number]

export async function makeNetworkTarget (name: NetworkTargetName): Promise<Target<Uint8Array> | Target<string>> {
  switch (name) {
    case 'announcement': return await announcementTarget()
    case 'catchup': return await catchupTarget()
    case 'commit-node': return await nodeTarget()
    case 'ipns-record': return await ipnsTarget()
    case 'http-request': return await httpTarget()
  }
}
