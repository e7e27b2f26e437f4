/**
 * The command line as a new user meets it (issue 13): the formats RDF is published in,
 * exports that read as a person expects, exit status 2 for every bad usage, and no
 * "unexpected error" for a condition that is expected.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Parser } from 'n3'
import { BIN, finished, lines, onDatabase, tempFolder, type Result } from './run.js'

const EX = 'http://example.org/'
const RDFXML = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <foaf:Person rdf:about="${EX}alice">
    <foaf:name>Alice</foaf:name>
    <foaf:knows rdf:resource="${EX}bob"/>
  </foaf:Person>
</rdf:RDF>
`
const JSONLD = JSON.stringify({ '@context': { foaf: 'http://xmlns.com/foaf/0.1/' }, '@id': `${EX}bob`, 'foaf:name': 'Bob' })
/** One triple in the default graph and in two named graphs, and one in a named graph only. */
const NQUADS = [
  `<${EX}a> <${EX}p> "1" .`,
  `<${EX}a> <${EX}p> "1" <${EX}g1> .`,
  `<${EX}a> <${EX}p> "1" <${EX}g2> .`,
  `<${EX}c> <${EX}p> "2" <${EX}g1> .`
].join('\n') + '\n'

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

async function ok (args: string[], input?: string | Uint8Array): Promise<Result> {
  const result = await run(args, { input })
  expect(result.code, result.stderr).toBe(0)
  return result
}

/** Bad usage: exit 2, one line on stderr, nothing on stdout, and never "unexpected". */
function usage (result: Result, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^rhizome: [^\n]+\n$/)
  expect(result.stderr).toMatch(pattern)
}

/** A failed operation: exit 1, one line, no "unexpected error". */
function failed (result: Result, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1)
  expect(result.stderr).toMatch(/^rhizome: [^\n]+\n$/)
  expect(result.stderr).not.toContain('unexpected error')
  expect(result.stderr).toMatch(pattern)
}

describe('formats', () => {
  it('imports RDF/XML from a file and JSON-LD from standard input and a file', async () => {
    await ok(['init'])
    expect((await ok(['import', file('people.rdf', RDFXML)])).stdout).toMatch(/^imported 3 quads\n/)
    expect((await ok(['import', '-f', 'jsonld', '-'], JSONLD)).stdout).toMatch(/^imported 1 quad\n/)
    await ok(['import', file('bob.jsonld', JSON.stringify({ '@id': `${EX}bob`, [`${EX}age`]: 30 }))])
    expect((await ok(['count'])).stdout).toBe('5\n')
  })

  it('refuses a JSON-LD remote context without fetching it, and says so in --help', async () => {
    await ok(['init'])
    const doc = JSON.stringify({ '@context': 'https://schema.org/', '@id': `${EX}a`, name: 'A' })
    failed(await run(['import', '-f', 'jsonld', '-'], { input: doc }), /remote context https:\/\/schema\.org\/.*does not fetch/)
    expect((await ok(['count'])).stdout).toBe('0\n')
    expect((await ok(['import', '--help'])).stdout).toContain('remote @context')
  })

  it('gunzips standard input and a file by their magic bytes, whatever the name', async () => {
    await ok(['init'])
    const nt = `<${EX}a> <${EX}p> "1" .\n<${EX}a> <${EX}p> "2" .\n`
    expect((await ok(['import', '-f', 'nt', '-'], gzipSync(nt))).stdout).toMatch(/^imported 2 quads\n/)
    expect((await ok(['import', file('zipped.nt', gzipSync(`<${EX}b> <${EX}p> "3" .\n`))])).stdout).toMatch(/^imported 1 quad\n/)
    expect((await ok(['count'])).stdout).toBe('3\n')
  })

  it('N-Triples and Turtle export the default graph unless --graph or --union; --union writes each triple once', async () => {
    await ok(['init'])
    await ok(['import', file('data.nq', NQUADS)])
    expect(lines((await ok(['export', '-f', 'nt'])).stdout)).toEqual([`<${EX}a> <${EX}p> "1" .`])
    expect(lines((await ok(['export', '-f', 'nt', '--graph', `${EX}g1`])).stdout)).toEqual([`<${EX}a> <${EX}p> "1" .`, `<${EX}c> <${EX}p> "2" .`])
    expect(lines((await ok(['export', '-f', 'nt', '--union'])).stdout).sort()).toEqual([`<${EX}a> <${EX}p> "1" .`, `<${EX}c> <${EX}p> "2" .`])
    expect((await ok(['export', '-f', 'ttl', '--union'])).stdout.match(/"1"/g)).toHaveLength(1)
    expect(lines((await ok(['export'])).stdout)).toHaveLength(4)
    expect((await ok(['export', '--help'])).stdout).toMatch(/default graph only/)
  })

  it('Turtle groups each subject under one statement with the common prefixes it uses; TriG one block per graph', async () => {
    await ok(['init'])
    await ok(['import', file('people.rdf', RDFXML)])
    await ok(['import', file('data.nq', NQUADS)])
    const ttl = (await ok(['export', '-f', 'ttl'])).stdout
    expect(ttl.startsWith('@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\n')).toBe(true)
    // One statement for alice: her subject once, her three triples joined by ';'.
    const alice = ttl.slice(ttl.indexOf(`<${EX}alice> `))
    const statement = alice.slice(0, alice.indexOf(' .\n') + 3)
    expect(ttl.split(`<${EX}alice> `)).toHaveLength(2)
    expect(statement.split(' ;\n    ')).toHaveLength(3)
    expect(statement).toMatch(new RegExp(`^<${EX}alice> a foaf:Person ;`))
    expect(statement).toContain('foaf:name "Alice"')
    expect(ttl).not.toContain('@prefix xsd')
    expect(new Parser({ format: 'Turtle' }).parse(ttl)).toHaveLength(4)
    const trig = (await ok(['export', '-f', 'trig'])).stdout
    expect(trig.match(new RegExp(`<${EX}g1> \\{`, 'g'))).toHaveLength(1)
    expect(trig).toContain(`<${EX}g1> {\n    <${EX}a> <${EX}p> "1" .\n    <${EX}c> <${EX}p> "2" .\n}\n`)
    expect(new Parser({ format: 'TriG' }).parse(trig)).toHaveLength(7)
  })
})

describe('export order', () => {
  it("Turtle keeps a subject's triples together when the file interleaves subjects (the store's full scan is in subject order)", async () => {
    await ok(['init'])
    // Objects in file order: a scan in object order would give s0, s1, s0, s1.
    const nt = [`<${EX}s0> <${EX}p> "0" .`, `<${EX}s1> <${EX}p> "1" .`, `<${EX}s0> <${EX}q> "2" .`, `<${EX}s1> <${EX}q> "3" .`].join('\n') + '\n'
    await ok(['import', file('mixed.nt', nt)])
    const ttl = (await ok(['export', '-f', 'ttl'])).stdout
    expect(ttl.split(`<${EX}s0> `)).toHaveLength(2)
    expect(ttl.split(`<${EX}s1> `)).toHaveLength(2)
    const nts = lines((await ok(['export', '-f', 'nt'])).stdout).map(line => line.split(' ')[0])
    expect(nts).toEqual([`<${EX}s0>`, `<${EX}s0>`, `<${EX}s1>`, `<${EX}s1>`])
  })
})

describe('bad usage exits 2', () => {
  it.each([
    ['import -f xml', ['import', '-f', 'xml', 'x.nt'], /argument 'xml' is invalid/],
    ['export --format xml', ['export', '--format', 'xml'], /argument 'xml' is invalid/],
    ['export -f jsonld (read, not written)', ['export', '-f', 'jsonld'], /read by import but not written/],
    ['query -f bogus', ['query', '-f', 'bogus', 'ASK {}'], /Allowed choices/],
    ['a malformed multiaddr', ['sync', '--peer', '/ip4/nowhere'], /not a multiaddr/],
    ['a --writer that is not a did:key', ['init', '--writer', 'did:key:zNotAKey'], /not a writer key/],
    ['cat of an IRI that is not ipfs://', ['cat', 'http://example.org/file'], /not an ipfs:\/\/ IRI/],
    ['-f json for a CONSTRUCT', ['query', '-f', 'json', 'CONSTRUCT WHERE { ?s ?p ?o }'], /-f json does not fit a CONSTRUCT query.*nt, ttl/],
    ['-f nt for a SELECT', ['query', '-f', 'nt', 'SELECT * WHERE { ?s ?p ?o }'], /does not fit a SELECT query/]
  ])('%s', async (_name, args, pattern) => {
    await ok(['init'])
    usage(await run(args), pattern)
  })
})

describe('expected conditions are reported as such', () => {
  it('a --listen port in use names the port', { timeout: 60_000 }, async () => {
    await ok(['init'])
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      failed(await run(['serve', '--no-http', '--listen', `/ip4/127.0.0.1/tcp/${port}`]), new RegExp(`port ${port} is already in use`))
    } finally {
      server.close()
    }
  })

  it('cloning from a peer that is not there says it could not be reached and leaves no folder', { timeout: 60_000 }, async () => {
    const address = lines((await ok(['init'])).stdout)[0]
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    await new Promise<void>(resolve => server.close(() => resolve()))
    const target = join(folder.path, 'clone')
    const peer = `/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWPXfX6e5hZcSpkFZwthpkzS5kUByjHW6Wv4BHNASBXjz6`
    const result = await onDatabase(target)(['clone', address, '--peer', peer, '--timeout', '500'])
    failed(result, new RegExp(`peer ${peer} could not be reached`))
    expect(existsSync(target)).toBe(false)
  })

  it('cat of a file whose block is missing names the block and where it looked', async () => {
    await ok(['init'])
    const other = join(folder.path, 'other')
    await onDatabase(other)(['init'])
    const iri = lines((await onDatabase(other)(['add', file('hello.txt', 'hello\n')])).stdout)[0]
    const result = await run(['cat', iri])
    failed(result, new RegExp(`block ${iri.slice('ipfs://'.length)} is missing: not in the database in .*db, and no --peer`))
  })

  // A terminal needs a pseudo-terminal: util-linux's script(1) gives the child one.
  it.skipIf(!existsSync('/usr/bin/script'))('export-car refuses to write binary to a terminal', { timeout: 60_000 }, async () => {
    await ok(['init'])
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --db ${JSON.stringify(db)} export-car -`
    const result = await finished(spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { stdio: 'pipe', env: { ...process.env, RHIZOME_DB: '' } }))
    expect(result.code).toBe(2)
    expect(result.stdout).toMatch(/rhizome: a CAR file is binary: redirect stdout/)
    expect(result.stdout).not.toContain('rhizome/manifest')
  })

  it('a Node.js older than 22.12 is told so before anything fails to load', async () => {
    const fake = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.0"})'
    const child = spawn(process.execPath, ['--import', fake, BIN, '--version'], { stdio: 'pipe' })
    const result = await finished(child)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('rhizome: Node.js 22.12 or newer is needed; this is Node.js 20.11.0 (upgrade it, for example from https://nodejs.org)\n')
  })

  it('a syntax error points at the line and token, and names what was expected', async () => {
    await ok(['init'])
    const result = await run(['query', 'SELECT ?s\nWHERE {\n  ?s ?p ?o .\n\n  FILTR (?o > 1)\n}\n'])
    failed(result, /unexpected 'FILTR'; did you mean FILTER\?.*\(line 5, column 3\)$/m)
  })

  it('a query that times out prints no partial document', async () => {
    await ok(['init'])
    const nt = Array.from({ length: 300 }, (_, i) => `<${EX}s${i}> <${EX}p> "${i}" .`).join('\n') + '\n'
    await ok(['import', '-f', 'nt', '-'], nt)
    const result = await run(['query', '-f', 'json', '--timeout', '1', 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'])
    expect(result.code, result.stderr).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/time limit/)
  })
})

describe('numbers and repeats', () => {
  it('counts with thousands separators and agreeing nouns; a repeat import says nothing changed', async () => {
    await ok(['init'])
    const nt = Array.from({ length: 1234 }, (_, i) => `<${EX}s${i}> <${EX}p> "${i}" .`).join('\n') + '\n'
    const path = file('many.nt', nt)
    expect(lines((await ok(['import', path])).stdout)[0]).toBe('imported 1,234 quads')
    expect(lines((await ok(['import', path])).stdout)[0]).toBe('imported 1,234 quads: all were already in the database, nothing changed')
    expect((await ok(['count'])).stdout).toBe('1,234\n')
    expect(lines((await ok(['import', file('one.nt', `<${EX}x> <${EX}p> "1" .\n`)])).stdout)[0]).toBe('imported 1 quad')
  })

  it('SELECT * keeps the variables in the order they appear', async () => {
    await ok(['init'])
    await ok(['import', file('one.nt', `<${EX}x> <${EX}p> "1" .\n`)])
    const csv = await ok(['query', '-f', 'csv', 'SELECT * WHERE { ?z ?y ?a }'])
    expect(lines(csv.stdout)[0].trimEnd()).toBe('z,y,a')
  })
})
