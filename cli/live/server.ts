/**
 * The live channel's server: `rhizome serve` and `rhizome pin` hold their databases
 * open (and locked), and answer the other `rhizome` commands on the same folder
 * through a Unix socket in it, so reads see the current state and writes are
 * committed, and replicated, by the running process. The socket is the owner's only
 * (mode 0600, in the database folder); a request is aborted when its client goes.
 */
import { heldView, publishedView, resolvedView } from '../names.js'
import { createServer, type Server, type Socket } from 'node:net'
import { chmodSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { RhizomeError, InvalidRdfError, type Graph } from '../../index.js'
import { fromBase64, lines, quadToWire, send, SOCKET_FILE, termFromWire, termToWire, toBase64, type Request, type WireTerm } from './protocol.js'

export interface LiveServer { path: string, close: () => Promise<void> }

/** Longest socket path the platform takes (sun_path); a longer folder gets no live channel. */
const MAX_SOCKET_PATH = 103

/** Listens on DB/live.sock for `graph`; undefined when the path is too long for a socket. */
export async function serveLive (graph: Graph, folder: string): Promise<LiveServer | undefined> {
  const path = join(folder, SOCKET_FILE)
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return undefined
  // A socket left by a process that died: this process holds the database's lock, so no one else serves it.
  rmSync(path, { force: true })
  const connections = new Set<Socket>()
  const server: Server = createServer(socket => {
    connections.add(socket)
    socket.on('close', () => connections.delete(socket))
    socket.on('error', () => {})
    void answer(graph, socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => { server.off('error', reject); resolve() })
  })
  chmodSync(path, 0o600)
  return {
    path,
    close: async () => {
      for (const socket of connections) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
      rmSync(path, { force: true })
    }
  }
}

async function answer (graph: Graph, socket: Socket): Promise<void> {
  const controller = new AbortController()
  socket.on('close', () => controller.abort())
  const input = lines(socket)
  try {
    const first = await input.next()
    if (first.done === true) return
    const request = first.value as Request
    const signal = controller.signal
    const args = Array.isArray(request.args) ? request.args : []
    const result = await run(graph, request.method, args, { signal, input: chunksOf(input), socket })
    await send(socket, { result: result ?? null })
  } catch (err) {
    if (!socket.destroyed) await send(socket, { error: wireError(err) }).catch(() => {})
  } finally {
    socket.end()
  }
}

interface Context { signal: AbortSignal, input: AsyncIterable<Uint8Array>, socket: Socket }

const options = (value: unknown): Record<string, unknown> => typeof value === 'object' && value !== null ? value as Record<string, unknown> : {}
const text = (value: unknown): string => {
  if (typeof value !== 'string') throw new TypeError('expected a string')
  return value
}

async function run (graph: Graph, method: string, args: unknown[], { signal, input, socket }: Context): Promise<unknown> {
  const item = async (value: unknown): Promise<void> => await send(socket, { item: value })
  switch (method) {
    case 'info': return { address: graph.address, writer: graph.writer }
    case 'size': return await graph.size({ signal })
    case 'heads': return (await graph.heads({ signal })).map(String)
    case 'log': {
      const { limit, before } = options(args[0]) as { limit?: number, before?: number }
      return (await graph.log({ limit, before, signal })).map(e => ({ ...e, cid: e.cid.toString(), parents: e.parents.map(String) }))
    }
    case 'update': {
      const { allowFiles } = options(args[1]) as { allowFiles?: unknown }
      const folders = Array.isArray(allowFiles) ? allowFiles.filter((f): f is string => typeof f === 'string') : []
      const r = await graph.update(text(args[0]), { signal, allowFiles: folders })
      return { ...r, head: r.head?.toString() }
    }
    case 'import': {
      const { format, graph: into, baseIRI, size } = options(args[0]) as { format: string, graph?: string, baseIRI?: string, size?: number }
      const r = await graph.import(input, { format, graph: into, baseIRI, size, signal })
      return { ...r, head: r.head?.toString() }
    }
    case 'mergeCar': {
      const parts: Uint8Array[] = []
      for await (const chunk of input) parts.push(chunk)
      const r = await graph.mergeCar(Buffer.concat(parts), { signal })
      return { applied: r.applied, heads: r.heads.map(String) }
    }
    case 'addFile': return await graph.addFile(input, { signal })
    case 'export': {
      const { format, graph: only, union } = options(args[0]) as { format: string, graph?: string, union?: boolean }
      for await (const chunk of graph.export({ format, graph: only, union, signal })) await item(chunk)
      return null
    }
    case 'exportCar':
      for await (const chunk of graph.exportCar({ signal })) await item(toBase64(chunk))
      return null
    case 'match': {
      const [s, p, o, g] = [0, 1, 2, 3].map(i => args[i] === null || args[i] === undefined ? undefined : termFromWire(args[i] as WireTerm))
      for await (const q of graph.match(s, p, o, g, { signal })) await item(quadToWire(q))
      return null
    }
    case 'catFile':
      for await (const chunk of graph.catFile(text(args[0]), { signal })) await item(toBase64(chunk))
      return null
    case 'query': {
      const { timeoutMs, defaultGraphAsUnion, services } = options(args[1]) as { timeoutMs?: number, defaultGraphAsUnion?: boolean, services?: string[] }
      const federation = Array.isArray(services) ? { allow: services.filter(s => typeof s === 'string') } : undefined
      const result = await graph.query(text(args[0]), { signal, timeoutMs, defaultGraphAsUnion, federation })
      if (result.type === 'boolean') return { type: 'boolean', value: result.value }
      if (result.type === 'quads') {
        await send(socket, { meta: { type: 'quads' } })
        for await (const q of result) await item(quadToWire(q))
        return null
      }
      const variables = result.variables.map(v => v.value)
      await send(socket, { meta: { type: 'bindings', variables } })
      for await (const row of result) await item(variables.map(v => { const t = row.get(v); return t === undefined ? null : termToWire(t) }))
      return null
    }
    case 'publishName': {
      const { lifetime, confirm, timeout } = options(args[1]) as { lifetime?: number, confirm?: number, timeout?: number }
      return publishedView(await graph.publish(text(args[0]), { lifetime, confirm, timeout, signal }))
    }
    case 'resolveName': {
      const { timeout } = options(args[1]) as { timeout?: number }
      return resolvedView(await graph.resolve(text(args[0]), { timeout, signal }))
    }
    case 'listNames': return (await graph.names()).map(heldView)
    default: throw new RhizomeError('ERR_LIVE_CHANNEL', `the live channel has no method ${JSON.stringify(method)}`)
  }
}

/**
 * The bytes a client sends after its request: {"chunk"} lines up to {"end"}. Read with
 * next(), not for-await, which would close the lines, and with them the socket, at the end.
 */
async function * chunksOf (input: AsyncGenerator<unknown>): AsyncGenerator<Uint8Array> {
  while (true) {
    const { value, done } = await input.next()
    if (done === true) throw new RhizomeError('ERR_ABORTED', 'the client went away before the end of its input')
    const m = value as { chunk?: string, end?: boolean }
    if (m.end === true) return
    if (typeof m.chunk !== 'string') throw new RhizomeError('ERR_LIVE_CHANNEL', 'the live channel expected a chunk')
    yield fromBase64(m.chunk)
  }
}

function wireError (err: unknown): { code: string, message: string, line?: number } {
  if (err instanceof RhizomeError) return { code: err.code, message: err.message, line: err instanceof InvalidRdfError ? err.line : undefined }
  return { code: 'ERR_LIVE_CHANNEL', message: err instanceof Error ? err.message : String(err) }
}
