/**
 * A live replica: while `rhizome serve` holds a database (a separate process, as a user
 * runs it), every other command on the same --db works through it (cli/live/): reads see
 * its current state, writes are committed there, whole or not at all, and replicated (a
 * clone from the server's peer address gets them). After the server stops, the same
 * commands open the folder themselves and see the same state.
 */
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { finished, onDatabase, spawnRhizome, tempFolder } from './run.js'

const folders: Array<ReturnType<typeof tempFolder>> = []
afterEach(() => { for (const f of folders.splice(0)) f.remove() })

describe('commands on a database that rhizome serve holds', () => {
  it('read, write, fail cleanly and replicate through the running process', { timeout: 120_000 }, async () => {
    const folder = tempFolder()
    folders.push(folder)
    const db = join(folder.path, 'db')
    const run = onDatabase(db)
    const init = await run(['init'])
    expect(init.code).toBe(0)
    const address = init.stdout.split('\n')[0]!.trim()
    expect((await run(['import', '-', '--format', 'nt'], { input: '<http://example.org/a> <http://example.org/p> "1" .\n' })).code).toBe(0)

    const server = spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-http'])
    const served = finished(server)
    const peer = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', resolve)
      server.once('exit', code => reject(new Error(`serve exited ${code}`)))
    })
    try {
      // The channel is the owner's only.
      expect(statSync(join(db, 'live.sock')).mode & 0o777).toBe(0o600)

      const count = await run(['count'])
      expect(count).toMatchObject({ code: 0, stderr: '' })
      expect(count.stdout.trim()).toBe('1')

      const imported = await run(['import', '-', '--format', 'ttl'], { input: '@prefix ex: <http://example.org/> . ex:b ex:p "2"@en ; ex:q ex:c .\n' })
      expect(imported).toMatchObject({ code: 0, stderr: '' })
      expect(imported.stdout).toContain('imported 2 quads')

      const updated = await run(['update', 'INSERT DATA { <http://example.org/c> <http://example.org/p> 3 }'])
      expect(updated).toMatchObject({ code: 0, stderr: '' })

      const query = await run(['query', '-f', 'json', 'SELECT ?s ?o { ?s <http://example.org/p> ?o } ORDER BY ?s'])
      expect(query.code).toBe(0)
      expect(JSON.parse(query.stdout).results.bindings).toEqual([
        { s: { type: 'uri', value: 'http://example.org/a' }, o: { type: 'literal', value: '1' } },
        { s: { type: 'uri', value: 'http://example.org/b' }, o: { type: 'literal', value: '2', 'xml:lang': 'en' } },
        { s: { type: 'uri', value: 'http://example.org/c' }, o: { type: 'literal', value: '3', datatype: 'http://www.w3.org/2001/XMLSchema#integer' } }
      ])
      expect((await run(['query', '-f', 'nt', 'CONSTRUCT { ?s <http://example.org/r> ?o } WHERE { ?s <http://example.org/q> ?o }'])).stdout)
        .toBe('<http://example.org/b> <http://example.org/r> <http://example.org/c> .\n')
      expect((await run(['export', '-f', 'nq'])).stdout.trim().split('\n')).toHaveLength(4)
      const heads = await run(['heads'])
      expect((await run(['log'])).stdout).toContain(heads.stdout.trim())

      // A bad import and a bad update fail with their messages and commit nothing.
      const bad = await run(['import', '-', '--format', 'nt'], { input: '<http://example.org/x> <http://example.org/p> "ok" .\n<http://example.org/y> <http://example.org/p> .\n' })
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/^rhizome: standard input: line 2/)
      const syntax = await run(['update', 'INSERT DATA {'])
      expect(syntax.code).toBe(1)
      expect(syntax.stderr).toContain('syntax error')
      expect((await run(['heads'])).stdout).toBe(heads.stdout)
      expect((await run(['count'])).stdout.trim()).toBe('4')

      // The commands that replicate themselves say who holds the database.
      const sync = await run(['sync', '--peer', peer])
      expect(sync.code).toBe(1)
      expect(sync.stderr).toContain('rhizome serve or pin')

      // The writes were committed by the server, which replicates them: a clone gets them all.
      const clone = join(folder.path, 'clone')
      const cloned = await onDatabase(clone)(['clone', address, '--peer', peer])
      expect(cloned).toMatchObject({ code: 0 })
      expect((await onDatabase(clone)(['count'])).stdout.trim()).toBe('4')
    } finally {
      server.kill('SIGTERM')
    }
    expect((await served).code).toBe(0)
    // Stopped, the server leaves no socket behind, and the folder opens as before.
    expect(statSync(join(db, 'live.sock'), { throwIfNoEntry: false })).toBeUndefined()
    expect((await run(['count'])).stdout.trim()).toBe('4')
  })
})
