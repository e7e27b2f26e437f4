import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { rhizome, tempFolder } from './run.js'

// `rhizome query` and `rhizome update` through the real bin, on a database made by init + import.
describe('rhizome query and update', () => {
  const folder = tempFolder()
  const db = join(folder.path, 'db')
  const run = async (...args: string[]): ReturnType<typeof rhizome> => await rhizome(['--db', db, ...args])

  beforeAll(async () => {
    expect((await run('init')).code).toBe(0)
    const data = join(folder.path, 'data.ttl')
    writeFileSync(data, '@prefix ex: <http://example.org/> .\nex:a ex:name "Alice" ; ex:age 30 .\nex:b ex:name "Bob" ; ex:age 25 .\n')
    expect((await run('import', data)).code).toBe(0)
  })
  afterAll(() => folder.remove())

  it('writes SPARQL JSON results when piped, and an aligned table when asked', async () => {
    const json = await run('query', 'SELECT ?n WHERE { ?s <http://example.org/name> ?n } ORDER BY ?n')
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as { results: { bindings: Array<{ n: { value: string } }> } }
    expect(parsed.results.bindings.map(b => b.n.value)).toEqual(['Alice', 'Bob'])
    const table = await run('query', '-f', 'table', 'PREFIX ex: <http://example.org/> SELECT ?s ?age WHERE { ?s ex:age ?age } ORDER BY ?age')
    expect(table.stdout.split('\n')).toEqual(['?s   | ?age', '-----+-----', 'ex:b | 25', 'ex:a | 30', '2 solutions', ''])
  })

  it.each([['csv', 'n\r\nAlice\r\nBob\r\n'], ['tsv', '?n\n"Alice"\n"Bob"\n']])('writes %s', async (format, expected) => {
    const result = await run('query', '-f', format, 'SELECT ?n WHERE { ?s <http://example.org/name> ?n } ORDER BY ?n')
    expect(result.stdout).toBe(expected)
  })

  it('reads the query from a file or standard input; CONSTRUCT gives N-Triples when piped', async () => {
    const file = join(folder.path, 'q.rq')
    writeFileSync(file, 'ASK { ?s <http://example.org/age> 30 }')
    expect((await run('query', '--file', file, '-f', 'table')).stdout).toBe('true\n')
    const piped = await rhizome(['--db', db, 'query', '-'], { input: 'CONSTRUCT { ?s <http://example.org/n> ?n } WHERE { ?s <http://example.org/name> "Bob" . ?s <http://example.org/name> ?n }' })
    expect(piped.stdout).toBe('<http://example.org/b> <http://example.org/n> "Bob" .\n')
  })

  it('runs an update as one commit and prints the head; a failing update commits nothing', async () => {
    const before = (await run('heads')).stdout
    const update = await run('update', 'PREFIX ex: <http://example.org/> DELETE { ?s ex:age ?a } INSERT { ?s ex:age 31 } WHERE { ?s ex:name "Alice" ; ex:age ?a }')
    expect(update.code).toBe(0)
    expect(update.stdout).toMatch(/^committed bafy\w+: 1 quad added, 1 removed\n$/)
    const after = (await run('heads')).stdout
    expect(after).not.toBe(before)
    const bad = await run('update', 'INSERT DATA { <http://example.org/c> <http://example.org/p> }')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^rhizome: syntax error: .* \(line 1, column \d+\)\n$/)
    expect((await run('heads')).stdout).toBe(after)
  })

  it('LOAD reads a local file only with --allow-file of its folder, and never prints the file', async () => {
    const allowed = join(folder.path, 'allowed')
    mkdirSync(allowed)
    writeFileSync(join(allowed, 'more.ttl'), '<http://example.org/c> <http://example.org/name> "Carol" .\n')
    writeFileSync(join(allowed, 'secret.ttl'), 'root:x:0:0:root:/root:/bin/bash\n')
    const load = `LOAD <${pathToFileURL(join(allowed, 'more.ttl')).href}>`
    const refused = await run('update', load)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/not allowed/)
    expect((await run('update', '--allow-file', join(folder.path, 'elsewhere'), load)).code).toBe(1)
    const loaded = await run('update', '--allow-file', join(folder.path, 'elsewhere'), '--allow-file', allowed, load)
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toMatch(/1 quad added/)
    const bad = await run('update', '--allow-file', allowed, `LOAD <${pathToFileURL(join(allowed, 'secret.ttl')).href}>`)
    expect(bad.code).toBe(1)
    expect(bad.stderr).not.toMatch(/root|bash/)
  })

  it('reports a syntax error and an unknown prefix with their position, exit 1; no query text is bad usage, exit 2', async () => {
    const syntax = await run('query', 'SELECT * WHERE { ?s ?p }')
    expect(syntax).toMatchObject({ code: 1, stdout: '' })
    expect(syntax.stderr).toMatch(/^rhizome: syntax error: unexpected '}' \(expected a term, .*\) \(line 1, column 24\)\n$/)
    const prefix = await run('query', 'SELECT * WHERE {\n  ?s ex:p ?o }')
    expect(prefix.stderr).toBe('rhizome: unknown prefix ex: (line 2, column 6)\n')
    expect((await run('query')).code).toBe(2)
    expect((await run('query', '-f', 'yaml', 'ASK {}')).code).toBe(2)
  })

  it('stops a query at its timeout with a clear error', async () => {
    const slow = await run('query', '--timeout', '1', 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }')
    expect(slow.code).toBe(1)
    expect(slow.stderr).toMatch(/^rhizome: .*(time|1 ms)/)
  })
})
