/**
 * Availability peers, with three separate processes on loopback TCP: a writer commits and
 * stops; a pinning peer that followed the database by address keeps every block; a fresh
 * replica that never met the writer clones the database from the pinning peer alone and
 * ends with every quad, the same heads, and the file the writer attached.
 * The processes run the compiled package (dist/), which `npm test` builds first.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir, closeAll } from './helpers.js'

const script = fileURLToPath(new URL('./fixtures/peer.mjs', import.meta.url))
const built = fileURLToPath(new URL('../../dist/replication/index.js', import.meta.url))

interface Peer { child: ChildProcessWithoutNullStreams, next: (event: string, until?: (e: any) => boolean) => Promise<any>, exited: Promise<number | null> }

const children: ChildProcessWithoutNullStreams[] = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  await closeAll([])
})

function start (role: string, config: object): Peer {
  const child = spawn(process.execPath, [script, role, JSON.stringify(config)], { stdio: 'pipe' })
  children.push(child)
  const events: any[] = []
  const waiters: Array<() => void> = []
  let stderr = ''
  child.stderr.on('data', d => { stderr += String(d) })
  createInterface({ input: child.stdout }).on('line', line => {
    events.push(JSON.parse(line))
    for (const w of waiters.splice(0)) w()
  })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => { for (const w of waiters.splice(0)) w(); resolve(code) }))
  const next = async (event: string, until: (e: any) => boolean = () => true): Promise<any> => {
    const deadline = AbortSignal.timeout(60_000)
    for (;;) {
      const found = events.find(e => e.event === event && until(e))
      if (found !== undefined) return found
      if (child.exitCode !== null) throw new Error(`${role} exited (${child.exitCode}) before '${event}': ${stderr}`)
      if (deadline.aborted) throw new Error(`${role}: timed out waiting for '${event}': ${stderr}`)
      await new Promise<void>(resolve => { waiters.push(resolve); setTimeout(resolve, 1_000).unref() })
    }
  }
  return { child, next, exited }
}

describe('pinning peers', () => {
  it('a fresh replica that never met the writer gets every quad from a pinning peer (three processes)', { timeout: 180_000 }, async () => {
    expect(existsSync(built), 'dist/ is built by `npm test` (tsc) before vitest').toBe(true)
    const writer = start('writer', { dir: tempDir(), commits: 60 })
    const written = await writer.next('ready')
    const pinner = start('pinner', { dir: tempDir(), address: written.address, peers: written.multiaddrs.slice(0, 1) })
    const pinning = await pinner.next('ready')
    await pinner.next('heads', e => JSON.stringify(e.heads) === JSON.stringify(written.heads))
    writer.child.stdin.end()
    expect(await writer.exited).toBe(0)

    const clone = start('clone', { dir: tempDir(), address: written.address, peers: pinning.multiaddrs.slice(0, 1), iri: written.iri })
    const cloned = await clone.next('done')
    expect(await clone.exited).toBe(0)
    expect(cloned.heads).toEqual(written.heads)
    expect(cloned.quads).toEqual(written.quads)
    expect(cloned.quads.length).toBe(61)
    expect(cloned.fileBytes).toBe('file content '.length * 30_000)
    pinner.child.stdin.end()
    expect(await pinner.exited).toBe(0)
  })
})
