/**
 * IPNS records (naming/records.ts, book.ts): what Rhizome makes passes the `ipns`
 * package's own validator; the IPNS specification's test vectors are accepted and
 * rejected as the specification says; and each bad record has its code: replayed older,
 * expired, forged, oversized, V1-only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createIPNSRecordWithExpiration, marshalIPNSRecord, unmarshalIPNSRecord } from 'ipns'
import { validate } from 'ipns/validator'
import { CID } from 'multiformats/cid'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair, keyPairFromSeed } from '../../merkle-clock/index.js'
import { checkRecord, codeOf, decodeRoot, deriveNameKeys, encodeRoot, fileNameStorage, makeRecord, memoryNameStorage, NameBook, nameSigner, parseName, rootOfValue } from './helpers.js'

const VECTORS = fileURLToPath(new URL('./vectors/', import.meta.url))
const identity = keyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => 255 - i))
const database = CID.parse('bafyreiel33qbtxy33o47glfgucyew6xlql3olpd24ls3dtp4mvbpspasaa')
const head = CID.parse('bafyreidvuajbnxnxghgmjztfrebxbejalgtejv3jnu274z5mj42v4j5cou')
const folders: string[] = []
afterEach(() => { for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true }) })

async function signerOf (label: string): ReturnType<typeof nameSigner> {
  return await nameSigner(deriveNameKeys(identity, label))
}

describe('IPNS records', () => {
  it('makes V2-only records that the ipns package validates, pointing at a root of the database and heads', async () => {
    const { privateKey, name } = await signerOf('notes')
    const root = await encodeRoot({ database, heads: [head] })
    const bytes = await makeRecord(privateKey, root.cid, 7n)
    await validate(privateKey.publicKey, bytes)
    const record = unmarshalIPNSRecord(bytes)
    expect('signatureV1' in record && record.signatureV1 !== undefined).toBe(false)
    expect(record.value).toBe(`/ipfs/${root.cid.toString()}`)
    expect(record.sequence).toBe(7n)
    expect(record.ttl).toBe(5n * 60n * 1_000_000_000n)
    const checked = await checkRecord(name, bytes)
    expect(checked.expires - Date.now()).toBeGreaterThan(23.9 * 3600_000)
    expect(rootOfValue(checked.value)?.equals(root.cid)).toBe(true)
    expect(await decodeRoot(root.cid, root.bytes)).toEqual({ database, heads: [head] })
    expect(typeof await decodeRoot(root.cid, new Uint8Array([1, 2, 3]))).toBe('string')
  })

  it('accepts and rejects the IPNS specification test vectors as the specification says', async () => {
    const expected: Record<string, string> = {
      v1: 'ERR_RECORD_V1_ONLY',
      'v1-v2': 'none',
      'v1-v2-broken-v1-value': 'ERR_RECORD_INVALID',
      'v1-v2-broken-signature-v2': 'ERR_RECORD_SIGNATURE',
      'v1-v2-broken-signature-v1': 'none',
      v2: 'none'
    }
    const files = readdirSync(VECTORS).filter(f => f.endsWith('.ipns-record'))
    expect(files).toHaveLength(6)
    for (const file of files) {
      const [name, kind] = file.replace('.ipns-record', '').split('_') as [string, string]
      const bytes = new Uint8Array(readFileSync(join(VECTORS, file)))
      expect(await codeOf(checkRecord(parseName(name), bytes)), file).toBe(expected[kind])
    }
  })

  it('refuses a forged record (another key, or altered bytes) with ERR_RECORD_SIGNATURE', async () => {
    const { name } = await signerOf('notes')
    const other = await nameSigner(generateKeyPair())
    const root = await encodeRoot({ database, heads: [] })
    const forged = await makeRecord(other.privateKey, root.cid, 100n)
    expect(await codeOf(checkRecord(name, forged))).toBe('ERR_RECORD_SIGNATURE')
    const { privateKey } = await signerOf('notes')
    const honest = unmarshalIPNSRecord(await makeRecord(privateKey, root.cid, 1n))
    const altered = marshalIPNSRecord({ ...honest, signatureV2: honest.signatureV2.map((b, i) => i === 0 ? b ^ 1 : b) })
    expect(await codeOf(checkRecord(name, altered))).toBe('ERR_RECORD_SIGNATURE')
  })

  it('refuses an expired record with ERR_RECORD_EXPIRED, more than 10 KiB with ERR_RECORD_TOO_LARGE before parsing, garbage with ERR_RECORD_INVALID', async () => {
    const { privateKey, name } = await signerOf('notes')
    const root = await encodeRoot({ database, heads: [] })
    const expired = marshalIPNSRecord(await createIPNSRecordWithExpiration(privateKey, root.cid, 1n, new Date(Date.now() - 1000).toISOString(), { v1Compatible: false }))
    expect(await codeOf(checkRecord(name, expired))).toBe('ERR_RECORD_EXPIRED')
    expect(await codeOf(checkRecord(name, new Uint8Array(10 * 1024 + 1).fill(0xff)))).toBe('ERR_RECORD_TOO_LARGE')
    expect(await codeOf(checkRecord(name, new Uint8Array([0xff, 0xff, 0xff])))).toBe('ERR_RECORD_INVALID')
  })

  it('keeps the newest record: a higher sequence replaces, an older one is a replay (ERR_RECORD_REPLAYED) and changes nothing', async () => {
    const book = await NameBook.open(memoryNameStorage())
    const { privateKey, name } = await signerOf('notes')
    const root = await encodeRoot({ database, heads: [] })
    const r1 = await makeRecord(privateKey, root.cid, 1n)
    const r2 = await makeRecord(privateKey, root.cid, 2n)
    expect((await book.offer(name, r1)).kept).toBe(true)
    expect((await book.offer(name, r2)).kept).toBe(true)
    expect(await codeOf(book.offer(name, r1, { strict: true }))).toBe('ERR_RECORD_REPLAYED')
    expect((await book.offer(name, r1)).kept).toBe(false)
    expect(book.held(name.name)?.sequence).toBe(2n)
    // the same sequence valid for longer replaces (the ipns selector's second rule)
    const longer = await makeRecord(privateKey, root.cid, 2n, 40 * 3600_000)
    expect((await book.offer(name, longer)).kept).toBe(true)
    expect(book.held(name.name)?.bytes).toEqual(longer)
  })

  it('publishes with a sequence one past the last, and keeps records and roots in the folder across reopening', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rhizome-names-'))
    folders.push(folder)
    const first = await NameBook.open(fileNameStorage(folder))
    const a = await first.publish(identity, 'notes', { database, heads: [head] })
    const b = await first.publish(identity, 'notes', { database, heads: [head] })
    expect([a.record.sequence, b.record.sequence]).toEqual([0n, 1n])
    expect(await codeOf(first.publish(identity, 'notes', { database, heads: [] }, { lifetime: 49 * 3600_000 }))).toBe('ERR_INVALID_OPTIONS')
    const again = await NameBook.open(fileNameStorage(folder))
    expect(again.held(a.name.name)?.sequence).toBe(1n)
    expect(again.published()).toEqual([{ label: 'notes', name: a.name.name }])
    expect((await again.root(a.name.name, again.held(a.name.name)!)).heads).toEqual([head])
    expect((await again.publish(identity, 'notes', { database, heads: [] })).record.sequence).toBe(2n)
  })
})

describe('republishing', () => {
  it('republishes a label, with the heads of the moment, once half its lifetime has passed, and not before', async () => {
    const { openGraph } = await import('../../index.js')
    const graph = await openGraph({ identity })
    try {
      const first = await graph.publish('notes', { lifetime: 60_000 })
      const naming = (graph as unknown as { naming: { republishDue: (now?: number) => Promise<string[]> } }).naming
      expect(await naming.republishDue(Date.now() + 10_000)).toEqual([])
      await graph.update('INSERT DATA { <urn:a> <urn:b> "c" }')
      expect(await naming.republishDue(Date.now() + 31_000)).toEqual(['notes'])
      const now = await graph.resolve(first.name)
      expect(now.sequence).toBe(first.sequence + 1n)
      expect(now.heads.map(String)).toEqual((await graph.heads()).map(String))
    } finally {
      await graph.close()
    }
  })
})
