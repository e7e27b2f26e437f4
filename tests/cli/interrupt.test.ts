/**
 * Ctrl-C on the built bin, for the three kinds of command: one streaming results (query),
 * one reading its input (import from stdin) and a server (serve). Each waits for a sign
 * that the command is running, never for time: the first row out, the child draining its
 * stdin, the server's address. Then SIGINT, and the exit status must be 130 with nothing
 * committed by the interrupted import. SIGTERM stops a server cleanly (exit 0).
 */
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { finished, onDatabase, spawnRhizome, tempFolder } from './run.js'

const folders: Array<{ remove: () => void }> = []
afterEach(() => { for (const f of folders.splice(0)) f.remove() })

async function database (quads: number): Promise<string> {
  const folder = tempFolder()
  folders.push(folder)
  const db = `${folder.path}/db`
  const run = onDatabase(db)
  expect((await run(['init'])).code).toBe(0)
  const data = Array.from({ length: quads }, (_, i) => `<http://e/s${i}> <http://e/p> "${i}" .\n`).join('')
  expect((await run(['import', '-', '-f', 'nt'], { input: data })).code).toBe(0)
  return db
}

async function firstOutput (child: ReturnType<typeof spawnRhizome>): Promise<void> {
  await once(child.stdout!, 'readable')
}

describe('Ctrl-C exits 130', () => {
  it('while a query streams its results', async () => {
    const db = await database(100)
    // 100^3 rows: far more than can finish before the signal.
    const child = spawnRhizome(['--db', db, 'query', '-f', 'tsv', 'SELECT * { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }'])
    const result = finished(child)
    await firstOutput(child)
    child.kill('SIGINT')
    const { code, stderr } = await result
    expect(code).toBe(130)
    expect(stderr).not.toMatch(/unexpected error/)
  })

  it('while an import reads standard input, and nothing is committed', async () => {
    const db = await database(3)
    const child = spawnRhizome(['--db', db, 'import', '-', '-f', 'nt'])
    child.stdout!.resume()
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const exited = new Promise<number | null>(resolve => child.once('close', resolve))
    // Fill the pipe until the child has read from it (a write reports backpressure, then drains).
    const line = '<http://e/x> <http://e/p> "a much longer literal to fill the pipe quickly" .\n'.repeat(1000)
    while (child.stdin!.write(line)) { /* fill */ }
    await once(child.stdin!, 'drain')
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    child.stdin!.destroy()
    expect(stderr).not.toMatch(/unexpected error/)
    expect((await onDatabase(db)(['count'])).stdout.trim()).toBe('3')
  })

  it('for a server; SIGTERM stops one with 0', async () => {
    const db = await database(1)
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 0]] as const) {
      const child = spawnRhizome(['--db', db, 'serve', '--listen', '/ip4/127.0.0.1/tcp/0'])
      const result = finished(child)
      await firstOutput(child)
      child.kill(signal)
      expect((await result).code).toBe(status)
    }
  })
})
