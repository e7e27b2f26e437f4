/**
 * Read-only databases (issue 13): `--read-only` (and openGraph's `readOnly`) opens a
 * folder for queries and exports; nothing in the folder is written or created; every
 * write is ERR_READ_ONLY and changes nothing; a reader and a writer never share a
 * folder (each keeps the other out); a folder a writer did not close is
 * ERR_NEEDS_RECOVERY until a writable open recovers it. While `rhizome serve` holds
 * the folder, a --read-only command reads through it and its writes are refused.
 */
import { spawn } from 'node:child_process'
import { chmodSync, copyFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { openGraph, RhizomeError } from '../../index.js'
import { BIN, finished, onDatabase, spawnRhizome, tempFolder } from './run.js'

const folders: Array<ReturnType<typeof tempFolder>> = []
afterEach(() => { for (const f of folders.splice(0)) f.remove() })

/** Every file of the folder with its size and modification time: what a read-only open must leave as it was. */
function snapshot (folder: string): string[] {
  return readdirSync(folder).sort().map(name => {
    const s = statSync(join(folder, name))
    return `${name} ${s.size} ${s.mtimeMs}`
  })
}

async function codeOf (promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (err) {
    return err instanceof RhizomeError ? err.code : String(err)
  }
}

async function newDatabase (): Promise<string> {
  const folder = tempFolder()
  folders.push(folder)
  const db = join(folder.path, 'db')
  const run = onDatabase(db)
  expect((await run(['init'])).code).toBe(0)
  expect((await run(['import', '-', '--format', 'nt'], { input: '<http://example.org/a> <http://example.org/p> "1" .\n<http://example.org/b> <http://example.org/p> "2" .\n' })).code).toBe(0)
  return db
}

describe('--read-only', () => {
  it('answers queries, exports and the log, refuses writes with ERR_READ_ONLY, and writes nothing in the folder', { timeout: 60_000 }, async () => {
    const db = await newDatabase()
    const run = onDatabase(db)
    const heads = (await run(['heads'])).stdout
    const before = snapshot(db)

    expect(await run(['--read-only', 'count'])).toMatchObject({ code: 0, stdout: '2\n', stderr: '' })
    const query = await run(['--read-only', 'query', '-f', 'tsv', 'SELECT ?o { ?s <http://example.org/p> ?o } ORDER BY ?o'])
    expect(query).toMatchObject({ code: 0, stdout: '?o\n"1"\n"2"\n' })
    expect((await run(['--read-only', 'export', '-f', 'nt'])).stdout.trim().split('\n')).toHaveLength(2)
    expect((await run(['--read-only', 'log'])).stdout).toContain(heads.replace(/^head /, '').trim())

    for (const args of [['update', 'INSERT DATA { <http://example.org/c> <http://example.org/p> "3" }'], ['import', '-', '--format', 'nt']]) {
      const refused = await run(['--read-only', ...args], { input: '<http://example.org/c> <http://example.org/p> "3" .\n' })
      expect(refused.code, args[0]).toBe(1)
      expect(refused.stderr).toMatch(/^rhizome: the database is open read-only: an? \w+ needs write access\n$/)
    }
    expect(snapshot(db)).toEqual(before)
    expect((await run(['heads'])).stdout).toBe(heads)
  })

  it('opens a folder this user cannot write read-only by itself: queries answer, writes are ERR_READ_ONLY', { timeout: 60_000 }, async context => {
    const db = await newDatabase()
    const before = snapshot(db)
    // As root every folder is writable, so the command runs as the unprivileged user "nobody"
    // (uid 65534) on root's folder; as anyone else, the folder is made read-only for its owner.
    const asRoot = process.getuid?.() === 0
    let node = process.execPath
    if (asRoot) {
      const home = tempFolder()
      folders.push(home)
      chmodSync(home.path, 0o755)
      node = join(home.path, 'node')
      copyFileSync(process.execPath, node) // root's own Node may sit in a folder nobody can enter
      chmodSync(node, 0o755)
      for (const path of [join(db, '..'), db]) chmodSync(path, 0o755)
      for (const name of readdirSync(db)) chmodSync(join(db, name), 0o644)
    } else {
      chmodSync(db, 0o555)
    }
    const user = asRoot ? { uid: 65534, gid: 65534 } : {}
    const run = async (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> =>
      await finished(spawn(node, [BIN, '--db', db, ...args], { stdio: 'pipe', env: { PATH: process.env.PATH, HOME: '/tmp' }, ...user }))
    try {
      const version = await run(['--version'])
      if (version.code !== 0) {
        context.skip(`the project is not readable by uid 65534 here (${version.stderr.trim().split('\n')[0]}), so a user who cannot write the folder cannot be simulated`)
        return
      }
      expect(await run(['count'])).toMatchObject({ code: 0, stdout: '2\n', stderr: '' })
      const refused = await run(['update', 'INSERT DATA { <http://example.org/c> <http://example.org/p> "3" }'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^rhizome: the database is open read-only/)
      expect(snapshot(db)).toEqual(before)
    } finally {
      if (!asRoot) chmodSync(db, 0o755)
    }
  })

  it('keeps writers out while it is open, and is kept out by a writer', { timeout: 60_000 }, async () => {
    const db = await newDatabase()
    const reader = await openGraph({ path: db, readOnly: true })
    try {
      expect(reader.readOnly).toBe(true)
      expect(await reader.size()).toBe(2)
      expect(await codeOf(openGraph({ path: db }))).toBe('ERR_DATABASE_LOCKED')
      expect(await codeOf(reader.update('INSERT DATA { <http://example.org/c> <http://example.org/p> 3 }'))).toBe('ERR_READ_ONLY')
      // A second reader shares the folder.
      const second = await openGraph({ path: db, readOnly: true })
      expect(await second.size()).toBe(2)
      await second.close()
    } finally {
      await reader.close()
    }
    const writer = await openGraph({ path: db })
    try {
      expect(await codeOf(openGraph({ path: db, readOnly: true }))).toBe('ERR_DATABASE_LOCKED')
    } finally {
      await writer.close()
    }
  })

  it('refuses a folder a killed writer left with writes in its log (ERR_NEEDS_RECOVERY) until a writable open recovers it', { timeout: 60_000 }, async () => {
    const db = await newDatabase()
    // A writer that commits one small write (kept in the commit log) and is killed before it closes.
    const index = new URL('../../dist/index.js', import.meta.url).href
    const script = `const { openGraph } = await import(${JSON.stringify(index)})
      const g = await openGraph({ path: ${JSON.stringify(db)} })
      await g.update('INSERT DATA { <http://example.org/c> <http://example.org/p> "3" }')
      process.kill(process.pid, 'SIGKILL')`
    const killed = await finished(spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' }))
    expect(killed.code).toBeNull()

    expect(await codeOf(openGraph({ path: db, readOnly: true }))).toBe('ERR_NEEDS_RECOVERY')
    const refused = await onDatabase(db)(['--read-only', 'count'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('open it once without --read-only')

    expect((await onDatabase(db)(['count'])).stdout).toBe('3\n')
    expect(await onDatabase(db)(['--read-only', 'count'])).toMatchObject({ code: 0, stdout: '3\n' })
  })

  it('reads through a running rhizome serve and refuses writes there', { timeout: 120_000 }, async () => {
    const db = await newDatabase()
    const run = onDatabase(db)
    const server = spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-http'])
    const served = finished(server)
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', resolve)
      server.once('exit', code => reject(new Error(`serve exited ${String(code)}`)))
    })
    try {
      expect(await run(['--read-only', 'count'])).toMatchObject({ code: 0, stdout: '2\n' })
      const refused = await run(['--read-only', 'update', 'INSERT DATA { <http://example.org/c> <http://example.org/p> "3" }'])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('open read-only')
      expect((await run(['count'])).stdout).toBe('2\n')
    } finally {
      server.kill('SIGTERM')
      await served
    }
  })
})
