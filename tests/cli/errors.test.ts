/**
 * Every way a `rhizome` command can fail, and what the user sees: exit status 1
 * for a failed operation, 2 for bad usage, one line on stderr naming the problem
 * (no stack trace without --verbose), and nothing committed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { existsSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { finished, onDatabase, spawnRhizome, tempFolder, type Result } from './run.js'

const GOOD = '<http://example.org/a> <http://example.org/p> "1" .\n'
const MALFORMED_TURTLE = `@prefix ex: <http://example.org/> .
ex:a ex:p ex:b .
ex:a ex:p "unterminated .
ex:c ex:p ex:d .
`

let folder: ReturnType<typeof tempFolder>
let db: string
let run: ReturnType<typeof onDatabase>

beforeEach(() => {
  folder = tempFolder()
  db = join(folder.path, 'db')
  run = onDatabase(db)
})
afterEach(() => folder.remove())

function file (name: string, content: string): string {
  const path = join(folder.path, name)
  writeFileSync(path, content)
  return path
}

/** A database holding one commit. */
async function seeded (): Promise<void> {
  expect((await run(['init'])).code).toBe(0)
  expect((await run(['import', file('good.nt', GOOD)])).code).toBe(0)
}

/** The state a failed command must leave alone. (One at a time: each holds the folder's lock.) */
async function snapshot (): Promise<{ count: string, heads: string, log: string }> {
  const count = await run(['count'])
  const heads = await run(['heads'])
  const log = await run(['log', '--format', 'json'])
  return { count: count.stdout, heads: heads.stdout, log: log.stdout }
}

/** One line on stderr, prefixed, with no stack trace; nothing on stdout. */
function expectOneLineError (result: Result, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^rhizome: [^\n]+\n$/)
  expect(result.stderr).toMatch(pattern)
}

describe('failed operations exit 1', () => {
  it('malformed Turtle: the message names the file and line, and nothing is committed', async () => {
    await seeded()
    const before = await snapshot()
    const path = file('bad.ttl', MALFORMED_TURTLE)
    const result = await run(['import', path])
    expectOneLineError(result, 1, /bad\.ttl: line 3: /)
    expect(await snapshot()).toEqual(before)
  })

  it('--verbose adds the stack trace and its causes', async () => {
    await seeded()
    const result = await run(['--verbose', 'import', file('bad.ttl', MALFORMED_TURTLE)])
    expect(result.code).toBe(1)
    expect(result.stderr.split('\n')[0]).toMatch(/^rhizome: .*line 3: /)
    expect(result.stderr).toMatch(/\n {4}at /)
    expect(result.stderr).toContain('caused by: ')
  })

  it('an unknown format, named (bad usage, exit 2) or implied by the file name', async () => {
    await seeded()
    const before = await snapshot()
    expectOneLineError(await run(['import', '--format', 'xml', file('data.nt', GOOD)]), 2, /argument 'xml' is invalid\. expected nq, nt, ttl, trig, rdf \(RDF\/XML\) or jsonld/)
    expectOneLineError(await run(['import', file('data.txt', GOOD)]), 1, /data\.txt: cannot tell the RDF format/)
    expectOneLineError(await run(['export', '--format', 'json']), 2, /argument 'json' is invalid\. expected nq, nt, ttl or trig/)
    expect(await snapshot()).toEqual(before)
  })

  it('a missing file', async () => {
    await seeded()
    expectOneLineError(await run(['import', join(folder.path, 'nope.ttl')]), 1, /nope\.ttl: no such file/)
    expectOneLineError(await run(['merge', join(folder.path, 'nope.car')]), 1, /nope\.car: no such file/)
  })

  it('a file that is not gzip, or not a CAR', async () => {
    await seeded()
    expectOneLineError(await run(['import', file('data.nt.gz', GOOD)]), 1, /data\.nt\.gz: not valid gzip/)
    expectOneLineError(await run(['merge', file('data.car', GOOD)]), 1, /data\.car: not a valid CAR file/)
  })

  it("a CAR of another database is refused by merge, with the core's message", async () => {
    await seeded()
    const other = onDatabase(join(folder.path, 'other'))
    await other(['init'])
    await other(['import', file('other.nt', GOOD)])
    const car = join(folder.path, 'other.car')
    expect((await other(['export-car', car])).code).toBe(0)
    const before = await snapshot()
    expectOneLineError(await run(['merge', car]), 1, /this CAR holds database bafy\w+, not bafy\w+/)
    expect(await snapshot()).toEqual(before)
  })

  it('a bad IRI for --graph, and a bad writer key for init (which then creates nothing)', async () => {
    await seeded()
    expectOneLineError(await run(['import', '--graph', 'not an iri', file('data.nt', GOOD)]), 1, /not an absolute IRI/)
    const fresh = join(folder.path, 'fresh')
    expectOneLineError(await onDatabase(fresh)(['init', '--writer', 'did:key:nonsense']), 2, /not a writer key/)
    expect(existsSync(fresh)).toBe(false)
  })

  it('init on a folder that holds a database, which is left as it was', async () => {
    await seeded()
    const before = await snapshot()
    expectOneLineError(await run(['init']), 1, /already holds database bafy/)
    expectOneLineError(await onDatabase(db)(['clone', join(folder.path, 'missing.car')]), 1, /missing\.car: no such file/)
    expect(await snapshot()).toEqual(before)
  })

  it('no database in the folder: every command that needs one says to run init', async () => {
    const missing = join(folder.path, 'missing')
    const none = onDatabase(missing)
    for (const args of [['count'], ['heads'], ['log'], ['export'], ['import', file('data.nt', GOOD)], ['export-car', join(folder.path, 'x.car')]]) {
      expectOneLineError(await none(args), 1, new RegExp(`no database in ${missing} \\(run rhizome init\\)`))
    }
    expect(existsSync(missing)).toBe(false)
  })

  it('a folder held by another process: a clear error, and the database is fine after', async () => {
    await seeded()
    const before = await snapshot()
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./hold-open.mjs', import.meta.url)), db], { stdio: 'pipe' })
    try {
      holder.stdout.setEncoding('utf8')
      const [first] = await once(holder.stdout, 'data') as [string]
      expect(first).toBe('ready\n')
      for (const args of [['count'], ['import', file('more.nt', '<http://example.org/b> <http://example.org/p> "2" .\n')], ['init']]) {
        expectOneLineError(await run(args), 1, /is in use by another process/)
      }
    } finally {
      const held = finished(holder)
      holder.stdin.end()
      const exit = await held
      expect(exit.code, exit.stderr).toBe(0)
    }
    expect(await snapshot()).toEqual(before)
  })
})

describe('bad usage exits 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown option', ['count', '--frob'], /unknown option '--frob'/],
    ['a missing argument', ['import'], /missing required argument 'file'/],
    ['an extra argument', ['count', 'extra'], /too many arguments/],
    ['an option without its value', ['log', '-n'], /argument missing/],
    ['a count that is not a positive number', ['log', '-n', '0'], /positive whole number/],
    ['a log format that does not exist', ['log', '--format', 'xml'], /Allowed choices are text, json/],
    ['standard input without --format', ['import', '-'], /reading standard input needs --format/]
  ]
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const result = await run(args)
      expect(result.code, result.stderr).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^rhizome: /)
      expect(result.stderr).toMatch(pattern)
      expect(result.stderr).not.toMatch(/\n {4}at /)
    })
  }

  it('no command at all shows the help on stderr', async () => {
    const result = await run([])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Usage: rhizome')
  })
})

describe('output', () => {
  it('a reader that stops early is not an error', async () => {
    await run(['init'])
    const many = Array.from({ length: 20_000 }, (_, i) => `<http://example.org/s${i}> <http://example.org/p> "${i}" .`).join('\n')
    expect((await run(['import', file('many.nt', many)])).code).toBe(0)
    const child = spawnRhizome(['--db', db, 'export'])
    child.stdout?.once('data', () => child.stdout?.destroy())
    const result = await finished(child)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })
})
