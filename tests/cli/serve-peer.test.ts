/**
 * `rhizome serve --peer ADDR` with the peer offline (issue 13): serve starts anyway, says
 * on stderr that the peer is not reachable, keeps dialling it, and once the peer comes
 * up the two replicate: a commit made while the peer was away reaches it. Both are
 * separate processes on loopback, as a user runs them.
 */
import { cpSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { onDatabase, spawnRhizome, stop, tempFolder, until } from './run.js'

const folders: Array<ReturnType<typeof tempFolder>> = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const f of folders.splice(0)) f.remove()
})

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Starts `rhizome serve`; resolves with it and its first multiaddr once it printed it. */
async function serve (db: string, args: string[]): Promise<{ child: ChildProcess, address: string, said: (text: string, ms: number) => Promise<void> }> {
  const child = spawnRhizome(['--db', db, 'serve', '--no-http', ...args])
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', code => reject(new Error(`serve exited ${String(code)}: ${stderr}`)))
  })
  /** Resolves once stderr holds `text`; rejects after `ms`. */
  const said = async (text: string, ms: number): Promise<void> => await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not say ${text} within ${ms} ms: ${stderr}`)), ms)
    const look = (): void => {
      if (!stderr.includes(text)) return
      clearTimeout(timer)
      child.stderr!.off('data', look)
      resolve()
    }
    child.stderr!.on('data', look)
    look()
  })
  return { child, address, said }
}

describe('rhizome serve --peer', () => {
  it('starts while the peer is offline, keeps dialling, and replicates once it is up', { timeout: 180_000 }, async () => {
    const folder = tempFolder()
    folders.push(folder)
    const a = join(folder.path, 'a')
    const b = join(folder.path, 'b')
    expect((await onDatabase(a)(['init'])).code).toBe(0)
    expect((await onDatabase(a)(['import', '-', '--format', 'nt'], { input: '<http://example.org/a> <http://example.org/p> "1" .\n' })).code).toBe(0)
    // b: a replica of the same database with an identity of its own (made on first open).
    cpSync(a, b, { recursive: true })
    rmSync(join(b, 'identity.json'))

    // b's address on a port of its own; then b goes offline.
    const port = await freePort()
    const listen = ['--listen', `/ip4/127.0.0.1/tcp/${port}`]
    const first = await serve(b, listen)
    const peer = first.address
    await stop(first.child)

    const server = await serve(a, ['--listen', '/ip4/127.0.0.1/tcp/0', '--peer', peer])
    await server.said(`peer ${peer} not reachable`, 60_000)
    expect(server.child.exitCode).toBeNull()

    // A commit while b is away, through a's live channel.
    expect((await onDatabase(a)(['update', 'INSERT DATA { <http://example.org/b> <http://example.org/p> "while away" }']))).toMatchObject({ code: 0 })

    await serve(b, listen)
    const ask = 'ASK { <http://example.org/b> <http://example.org/p> "while away" }'
    await until(async () => (await onDatabase(b)(['query', '-f', 'json', ask])).stdout.includes('true'), 120_000, 'b to get the commit')
    expect((await onDatabase(b)(['count'])).stdout.trim()).toBe('2')
  })
})
