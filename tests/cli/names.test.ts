/**
 * Names from the command line, in separate processes on loopback (issue 11): a writer
 * publishes a name and stops; a fresh replica that never met the writer resolves the
 * name through an availability peer (`rhizome pin --name`) and clones the database at
 * that root; the pinner answers the delegated routing API with a record that is still
 * valid. An identity carried as a recovery phrase gives the same names on another
 * machine. And the bad inputs, each with its code and exit status.
 */
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { checkRecord, parseName } from '../../naming/index.js'
import { lines, onDatabase, spawnRhizome, stop, tempFolder, until } from './run.js'

const folders: Array<ReturnType<typeof tempFolder>> = []
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const f of folders.splice(0)) f.remove()
})

function folder (): string {
  const f = tempFolder()
  folders.push(f)
  return f.path
}

/** Starts a long-running command; resolves with it and the first `count` lines it printed. */
async function start (args: string[], count: number): Promise<{ child: ChildProcess, lines: string[] }> {
  const child = spawnRhizome(args)
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const printed: string[] = []
  await new Promise<void>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout! })
    reader.on('line', line => { printed.push(line); if (printed.length === count) resolve() })
    child.once('exit', code => reject(new Error(`${args.join(' ')} exited ${String(code)}: ${stderr}`)))
  })
  return { child, lines: printed }
}

const DATA = '<http://example.org/a> <http://example.org/p> "1" .\n<http://example.org/b> <http://example.org/p> "2" .\n<http://example.org/c> <http://example.org/p> "3" .\n'

describe('rhizome name', () => {
  it('offline publisher: a fresh replica resolves the name through a pinner and clones the database at its root', { timeout: 180_000 }, async () => {
    const root = folder()
    const writer = onDatabase(join(root, 'writer'))
    const init = await writer(['init'])
    expect(init.code).toBe(0)
    expect((await writer(['import', '-', '--format', 'nt'], { input: DATA })).code).toBe(0)
    const published = await writer(['name', 'publish', 'notes', '--lifetime', '2h'])
    expect(published.code, published.stderr).toBe(0)
    const [name, sequence, validUntil] = lines(published.stdout)
    expect(name).toMatch(/^k51qzi5uqu5d[0-9a-z]+$/)
    expect(sequence).toBe('sequence 0')
    expect(Date.parse(validUntil!.replace('valid until ', '')) - Date.now()).toBeGreaterThan(1.9 * 3600_000)

    // The availability peer follows the name; it has never seen the database.
    const pinFolder = join(root, 'pinner')
    const pinner = await start(['--db', pinFolder, 'pin', '--name', name!, '--listen', '/ip4/127.0.0.1/tcp/0', '--http-port', '0'], 2)
    const [pinAddress, routing] = pinner.lines as [string, string]
    expect(routing).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/routing\/v1\/ipns\/$/)

    // The writer comes online long enough for the pinner to take the record, the root and the database.
    const serving = await start(['--db', join(root, 'writer'), 'serve', '--no-http', '--listen', '/ip4/127.0.0.1/tcp/0', '--peer', pinAddress], 1)
    const address = init.stdout.trim()
    const pinned = onDatabase(join(pinFolder, address))
    await until(async () => (await pinned(['count'])).stdout.trim() === '3', 60_000, 'the pinner to hold the database')
    await stop(serving.child)

    // A fresh replica that never met the writer: resolve, then clone by name.
    const fresh = onDatabase(join(root, 'fresh'))
    const resolved = await fresh(['name', 'resolve', `/ipns/${name!}`, '--peer', pinAddress])
    expect(resolved.code, resolved.stderr).toBe(0)
    expect(lines(resolved.stdout)[0]).toBe(`database ${address}`)
    expect(lines(resolved.stdout).filter(l => l.startsWith('head ')).length).toBe(1)
    const cloned = await fresh(['clone', `/ipns/${name!}`, '--peer', pinAddress])
    expect(cloned.code, cloned.stderr).toBe(0)
    expect(lines(cloned.stdout)[0]).toBe(address)
    expect((await fresh(['count'])).stdout.trim()).toBe('3')
    expect((await fresh(['name', 'list'])).stdout).toContain(`${name!}  followed`)

    // The pinner serves the record, still valid, on the routing API, with the specification's headers.
    const response = await fetch(routing + name!, { headers: { accept: 'application/vnd.ipfs.ipns-record' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/vnd.ipfs.ipns-record')
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    expect(response.headers.get('etag')).toMatch(/^".+"$/)
    const record = await checkRecord(parseName(name!), new Uint8Array(await response.arrayBuffer()))
    expect(record.sequence).toBe(0n)
    expect(record.expires).toBeGreaterThan(Date.now())
    const again = await fetch(routing + name!, { headers: { 'if-none-match': response.headers.get('etag')! } })
    expect(again.status).toBe(304)
    // A PUT of the same record is taken; garbage is 400; a name it does not follow is 403; no Accept for records is 406.
    const bytes = new Uint8Array(await (await fetch(routing + name!)).arrayBuffer())
    const put = async (path: string, body: Uint8Array): Promise<number> => (await fetch(routing + path, { method: 'PUT', headers: { 'content-type': 'application/vnd.ipfs.ipns-record' }, body: Buffer.from(body) })).status
    expect(await put(name!, bytes)).toBe(200)
    expect(await put(name!, new Uint8Array([1, 2, 3]))).toBe(400)
    expect(await put('k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc', bytes)).toBe(403)
    expect((await fetch(routing + name!, { headers: { accept: 'text/html' } })).status).toBe(406)
    expect((await fetch(routing + 'k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc')).status).toBe(404)
    await stop(pinner.child)
  })

  it('an identity restored from its recovery phrase writes as the same writer and publishes the same names', { timeout: 60_000 }, async () => {
    const root = folder()
    const a = onDatabase(join(root, 'a'))
    const b = onDatabase(join(root, 'b'))
    expect((await a(['init'])).code).toBe(0)
    const phrase = (await a(['id', '--mnemonic'])).stdout.trim()
    expect(phrase.split(' ')).toHaveLength(24)
    const restored = await b(['id', '--restore'], { input: phrase + '\n' })
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.stdout).toBe((await a(['id'])).stdout)
    expect((await b(['init'])).code).toBe(0)
    const nameA = lines((await a(['name', 'publish', 'notes'])).stdout)[0]
    const nameB = lines((await b(['name', 'publish', 'notes'])).stdout)[0]
    expect(nameB).toBe(nameA)
    expect(lines((await b(['name', 'publish', 'other'])).stdout)[0]).not.toBe(nameA)
    // The folder's identity stays as it was when a phrase of another one is offered.
    const other = onDatabase(join(root, 'c'))
    expect((await other(['id'])).code).toBe(0)
    const refused = await other(['id', '--restore'], { input: phrase })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('already holds another identity')
    const words = phrase.split(' ')
    const swapped = [words[1], words[0], ...words.slice(2)].join(' ')
    for (const bad of ['not a phrase', swapped, 'zzzz '.repeat(24)]) {
      const result = await onDatabase(join(root, 'd'))(['id', '--restore'], { input: bad })
      expect(result.code, bad).toBe(1)
      expect(result.stderr).toContain('not a recovery phrase')
    }
  })

  it('answers bad input with its error and exit status', { timeout: 60_000 }, async () => {
    const root = folder()
    const db = onDatabase(join(root, 'db'))
    expect((await db(['init'])).code).toBe(0)
    const cases: Array<[string[], number, string]> = [
      [['name', 'publish', ''], 1, 'is empty'],
      [['name', 'publish', 'x', '--lifetime', '3d'], 1, 'between 1 s and 48 h'],
      [['name', 'publish', 'x', '--lifetime', 'soon'], 2, 'not a duration'],
      [['name', 'resolve', 'notaname'], 1, 'is not an IPNS name'],
      [['name', 'resolve', 'bafyreidvuajbnxnxghgmjztfrebxbejalgtejv3jnu274z5mj42v4j5cou'], 1, 'is not an IPNS name'],
      [['name', 'resolve', 'k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc'], 1, 'no record for /ipns/k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc'],
      [['clone', '/ipns/k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc'], 2, 'needs --peer'],
      [['pin'], 2, 'needs an address or a --name'],
      [['pin', '--name', 'x'], 2, 'not an IPNS name'],
      [['id', '--mnemonic', '--restore'], 2, 'cannot be given together']
    ]
    for (const [args, code, text] of cases) {
      const result = await db(args)
      expect(result.code, args.join(' ')).toBe(code)
      expect(result.stderr, args.join(' ')).toContain(text)
    }
  })
})
