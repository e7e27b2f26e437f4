/**
 * The replication commands of the built `rhizome` bin, each in its own process over
 * loopback TCP: `serve` prints its multiaddrs and stops on SIGTERM; `clone ADDRESS --peer`
 * makes a new replica; `sync --peer` catches an existing one up; `add` and `cat` round-trip
 * a file, and `cat --peer` fetches it from a serving peer; a file nobody has and a peer that
 * is gone end `cat --peer` with a coded error.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { closeAll, tempDir } from './helpers.js'

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))
const env = (): NodeJS.ProcessEnv => { const e = { ...process.env }; delete e.RHIZOME_DB; return e }

async function run (args: string[], input?: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => { stdout += String(d) })
  child.stderr.on('data', d => { stderr += String(d) })
  child.stdin.end(input)
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  return { code, stdout, stderr }
}

const servers: ChildProcessWithoutNullStreams[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.exitCode === null) s.kill('SIGKILL')
  await closeAll([])
})

/** Starts `rhizome serve` and resolves with its first multiaddr once it prints it. */
async function serve (db: string): Promise<{ child: ChildProcessWithoutNullStreams, address: string }> {
  const child = spawn(process.execPath, [BIN, '--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0'], { env: env(), stdio: 'pipe' })
  servers.push(child)
  let stderr = ''
  child.stderr.on('data', d => { stderr += String(d) })
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', code => reject(new Error(`serve exited ${code}: ${stderr}`)))
  })
  return { child, address }
}

describe('replication on the command line', () => {
  it('serve, clone --peer, sync --peer, add, cat and cat --peer', { timeout: 180_000 }, async () => {
    const [a, b] = [tempDir(), tempDir()]
    const init = await run(['--db', a, 'init', '--name', 'cli'])
    expect(init.code).toBe(0)
    const address = init.stdout.trim().split('\n')[0]
    const data = join(a, '..', `data-${Date.now()}.nt`)
    writeFileSync(data, '<http://example.org/a> <http://example.org/p> "1" .\n<http://example.org/b> <http://example.org/p> "2" .\n')
    expect((await run(['--db', a, 'import', data])).code).toBe(0)
    const added = await run(['--db', a, 'add', '-'], 'hello from a file\n'.repeat(1000))
    expect(added.code).toBe(0)
    const iri = added.stdout.trim()
    expect(iri).toMatch(/^ipfs:\/\//)
    const cat = await run(['--db', a, 'cat', iri])
    expect(cat.stdout).toBe('hello from a file\n'.repeat(1000))

    const server = await serve(a)
    expect(server.address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
    const clone = await run(['--db', b, 'clone', address, '--peer', server.address])
    expect(clone.stderr).toBe('')
    expect(clone.code).toBe(0)
    expect(clone.stdout.split('\n')[0]).toBe(address)
    expect((await run(['--db', b, 'count'])).stdout.trim()).toBe('2')

    // the file was never named in a quad, so it did not travel: cat --peer fetches it over bitswap
    const fetched = await run(['--db', b, 'cat', iri, '--peer', server.address])
    expect(fetched.code).toBe(0)
    expect(fetched.stdout).toBe('hello from a file\n'.repeat(1000))

    server.child.kill('SIGTERM')
    expect(await new Promise(resolve => server.child.once('exit', resolve))).toBe(0)
    writeFileSync(data, '<http://example.org/c> <http://example.org/p> "3" .\n')
    expect((await run(['--db', a, 'import', data])).code).toBe(0)
    const again = await serve(a)
    const sync = await run(['--db', b, 'sync', '--peer', again.address])
    expect(sync.code).toBe(0)
    expect(sync.stdout).toMatch(/^synced 1 commit\n/)
    expect((await run(['--db', b, 'count'])).stdout.trim()).toBe('3')

    // a file no peer has: cat --peer gives up at --timeout with a clear error, instead of waiting for ever
    const nobody = 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    const missing = await run(['--db', b, 'cat', nobody, '--peer', again.address, '--timeout', '1500'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/did not arrive within 1500 ms/)
    again.child.kill('SIGTERM')
    expect(await new Promise(resolve => again.child.once('exit', resolve))).toBe(0)
    // a peer that is gone: the dial fails with a clear error
    const gone = await run(['--db', b, 'cat', nobody, '--peer', again.address])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/could not be reached/)
  })
})
