/**
 * The `rhizome` commands doing their jobs, run as a user would run them: the built
 * bin in a child process on a temporary database folder.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Parser } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { openGraph, type RDF } from '../../index.js'
import { lines, onDatabase, rhizome, tempFolder } from './run.js'

const TURTLE = `@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice ex:knows ex:bob, _:b0 ;
  ex:name "Alice"@en, "Alicia"@es ;
  ex:age "42"^^xsd:integer .
_:b0 ex:name "someone \\"quoted\\"\\nwith a newline" .
ex:bob ex:friendOf [ ex:name "anonymous" ] .
`

const TRIG = `@prefix ex: <http://example.org/> .
ex:a ex:p ex:b .
ex:g1 { ex:a ex:p "in g1" . _:x ex:p ex:a }
ex:g2 { ex:a ex:p "in g2" }
`

function parse (text: string, format = 'N-Quads'): RDF.Quad[] {
  return new Parser({ format }).parse(text) as RDF.Quad[]
}

const sorted = (text: string): string[] => lines(text).sort()

let folder: ReturnType<typeof tempFolder>
let db: string
let run: ReturnType<typeof onDatabase>

beforeEach(() => {
  folder = tempFolder()
  db = join(folder.path, 'db')
  run = onDatabase(db)
})
afterEach(() => folder.remove())

function file (name: string, content: string | Uint8Array): string {
  const path = join(folder.path, name)
  writeFileSync(path, content)
  return path
}

async function init (...args: string[]): Promise<string> {
  const result = await run(['init', ...args])
  expect(result.code, result.stderr).toBe(0)
  return result.stdout.trim()
}

describe('rhizome init and id', () => {
  it('init prints the new address and id the writer key of the replica that made it', async () => {
    const address = await init('--name', 'people')
    expect(address).toMatch(/^bafy[a-z0-9]+$/)
    const id = await run(['id'])
    expect(id.code).toBe(0)
    expect(id.stdout).toMatch(/^did:key:z[1-9A-HJ-NP-Za-km-z]+\n$/)

    const graph = await openGraph({ path: db, create: false })
    try {
      expect(graph.address).toBe(address)
      expect(graph.manifest.name).toBe('people')
      expect(graph.writerIds).toEqual([id.stdout.trim()])
    } finally {
      await graph.close()
    }
  })

  it('init lists the writers given and can make an open database', async () => {
    const other = await rhizome(['--db', join(folder.path, 'other'), 'id'])
    const key = other.stdout.trim()
    await init('--writer', key, '--open')
    const graph = await openGraph({ path: db, create: false })
    try {
      expect(graph.writerIds).toContain(key)
      expect(graph.writerIds).toContain(graph.writer)
      expect(graph.manifest.open).toBe(true)
    } finally {
      await graph.close()
    }
  })

  it('id works before init, and init then keeps that identity', async () => {
    const before = await run(['id'])
    expect(before.code).toBe(0)
    await init()
    expect((await run(['id'])).stdout).toBe(before.stdout)
  })
})

describe('rhizome import and export', () => {
  it('round-trips Turtle: the export is isomorphic to the file', async () => {
    await init()
    const imported = await run(['import', file('people.ttl', TURTLE)])
    expect(imported.code, imported.stderr).toBe(0)
    const input = parse(TURTLE, 'Turtle')
    expect(lines(imported.stdout)).toEqual([`imported ${input.length} quads`, expect.stringMatching(/^head bafy/)])
    expect(imported.stderr).toBe('') // no progress bar when stderr is not a terminal

    const exported = await run(['export'])
    expect(exported.code, exported.stderr).toBe(0)
    expect(isomorphic(parse(exported.stdout), input)).toBe(true)
    expect((await run(['count'])).stdout).toBe(`${input.length}\n`)
  })

  it('round-trips TriG with named graphs, and exports one graph with --graph', async () => {
    await init()
    expect((await run(['import', file('data.trig', TRIG)])).code).toBe(0)
    const all = await run(['export', '--format', 'trig'])
    expect(isomorphic(parse(all.stdout, 'TriG'), parse(TRIG, 'TriG'))).toBe(true)

    const g1 = await run(['export', '--graph', 'http://example.org/g1'])
    expect(parse(g1.stdout).map(q => q.graph.value)).toEqual(['http://example.org/g1', 'http://example.org/g1'])
    const defaultGraph = await run(['export', '--graph', ''])
    expect(parse(defaultGraph.stdout).map(q => q.object.value)).toEqual(['http://example.org/b'])
  })

  it('writes every export format so that it parses back', async () => {
    await init()
    await run(['import', file('people.ttl', TURTLE)])
    const input = parse(TURTLE, 'Turtle')
    for (const [format, syntax] of [['nq', 'N-Quads'], ['nt', 'N-Triples'], ['ttl', 'Turtle'], ['trig', 'TriG']]) {
      const out = await run(['export', '-f', format])
      expect(out.code, out.stderr).toBe(0)
      expect(isomorphic(parse(out.stdout, syntax), input), format).toBe(true)
    }
  })

  it('gives a blank node of each import its own identity: two imports of _:b0 are two nodes', async () => {
    await init()
    const path = file('blank.nt', '<http://example.org/s> <http://example.org/p> _:b0 .\n_:b0 <http://example.org/p> "v" .\n')
    await run(['import', path])
    await run(['import', path])
    const quads = parse((await run(['export'])).stdout)
    expect(quads).toHaveLength(4)
    expect(new Set(quads.filter(q => q.object.termType === 'BlankNode').map(q => q.object.value)).size).toBe(2)
  })

  it('reads standard input, gzipped files, and puts triples into --graph', async () => {
    await init()
    const fromStdin = await run(['import', '--format', 'nt', '-'], { input: '<http://example.org/a> <http://example.org/p> "stdin" .\n' })
    expect(fromStdin.code, fromStdin.stderr).toBe(0)
    expect(lines(fromStdin.stdout)[0]).toBe('imported 1 quad')
    const gz = file('data.nt.gz', gzipSync('<http://example.org/a> <http://example.org/p> "gzip" .\n'))
    expect((await run(['import', gz, '--graph', 'http://example.org/zipped'])).code).toBe(0)
    const quads = parse((await run(['export'])).stdout)
    expect(quads.map(q => [q.object.value, q.graph.value]).sort()).toEqual([['gzip', 'http://example.org/zipped'], ['stdin', '']])
  })

  it('commits nothing for an empty file and says so', async () => {
    await init()
    const empty = await run(['import', file('empty.nq', '')])
    expect(empty.code).toBe(0)
    expect(lines(empty.stdout)).toEqual(['imported 0 quads', 'nothing to commit'])
    expect((await run(['heads'])).stdout).toBe('')
  })
})

describe('rhizome heads and log', () => {
  it('heads is the last commit, and log lists commits newest first with their counts and parents', async () => {
    await init()
    const first = await run(['import', file('a.ttl', TURTLE)])
    const second = await run(['import', '-f', 'nt', '-'], { input: '<http://example.org/x> <http://example.org/p> "1" .\n' })
    const head = (result: { stdout: string }): string => lines(result.stdout)[1].replace('head ', '')
    expect((await run(['heads'])).stdout).toBe(head(second) + '\n')

    const log = await run(['log', '--format', 'json'])
    expect(log.code, log.stderr).toBe(0)
    const entries = JSON.parse(log.stdout) as Array<{ cid: string, author: string, time: string, height: number, added: number, removed: number, parents: string[] }>
    const me = (await run(['id'])).stdout.trim()
    expect(entries).toEqual([
      { cid: head(second), author: me, time: expect.any(String), height: 2, added: 1, removed: 0, parents: [head(first)] },
      { cid: head(first), author: me, time: expect.any(String), height: 1, added: parse(TURTLE, 'Turtle').length, removed: 0, parents: [] }
    ])
    expect(Number.isNaN(Date.parse(entries[0].time))).toBe(false)

    const one = JSON.parse((await run(['log', '--format', 'json', '-n', '1'])).stdout) as unknown[]
    expect(one).toHaveLength(1)
    const text = (await run(['log'])).stdout
    expect(text).toContain(`commit  ${head(second)}`)
    expect(text).toContain(`parent  ${head(first)}`)
    expect(text).toContain('quads   +1 -0')
  })

  it('prints nothing for a database with no commits', async () => {
    await init()
    expect(await run(['heads'])).toEqual({ code: 0, stdout: '', stderr: '' })
    expect((await run(['log', '--format', 'json'])).stdout).toBe('[]\n')
  })
})

describe('rhizome export-car, clone and merge', () => {
  it('brings a second folder up to date with the first by hand', async () => {
    const address = await init()
    await run(['import', file('a.ttl', TURTLE)])
    const car = join(folder.path, 'a.car')
    expect((await run(['export-car', car])).code).toBe(0)

    const replica = onDatabase(join(folder.path, 'replica'))
    const cloned = await replica(['clone', car])
    expect(cloned.code, cloned.stderr).toBe(0)
    expect(cloned.stdout).toBe(address + '\n')
    // The same quads, blank node labels included (they are part of the commits); the order is the store's.
    expect(sorted((await replica(['export'])).stdout)).toEqual(sorted((await run(['export'])).stdout))

    await run(['import', '-f', 'nt', '-'], { input: '<http://example.org/x> <http://example.org/p> "later" .\n' })
    await run(['export-car', car])
    const merged = await replica(['merge', car])
    expect(merged.code, merged.stderr).toBe(0)
    expect(lines(merged.stdout)[0]).toBe('merged 1 commit')
    expect((await replica(['heads'])).stdout).toBe((await run(['heads'])).stdout)
    expect(sorted((await replica(['export'])).stdout)).toEqual(sorted((await run(['export'])).stdout))
    expect(readFileSync(car).length).toBeGreaterThan(0)
  })
})

describe('rhizome itself', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(await rhizome(['--version'])).toEqual({ code: 0, stdout: pkg.version + '\n', stderr: '' })
  })

  it('has --help on every command', async () => {
    const top = await rhizome(['--help'])
    expect(top.code).toBe(0)
    const commands = ['init', 'id', 'import', 'export', 'heads', 'log', 'count', 'export-car', 'merge', 'clone']
    for (const command of commands) expect(top.stdout).toContain(command)
    const helps = await Promise.all(commands.map(async command => await rhizome([command, '--help'])))
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0)
      expect(help.stdout).toContain(`Usage: rhizome ${commands[i]}`)
    })
  })

  it('finds the database through $RHIZOME_DB, else in ./.rhizome', async () => {
    const viaEnv = await rhizome(['init'], { env: { RHIZOME_DB: db } })
    expect(viaEnv.code).toBe(0)
    expect((await run(['heads'])).code).toBe(0)

    const inCwd = await rhizome(['init'], { cwd: folder.path })
    expect(inCwd.code).toBe(0)
    const graph = await openGraph({ path: join(folder.path, '.rhizome'), create: false })
    expect(graph.address).toBe(inCwd.stdout.trim())
    await graph.close()
  })
})
