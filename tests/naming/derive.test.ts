/**
 * Name derivation (naming/derive.ts): a fixed vector, so the derivation can never change
 * silently; the same name in another process; names separated by label and by identity.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed, generateKeyPair } from '../../merkle-clock/index.js'
import { deriveNameKeys, nameSigner, parseName, RhizomeErrorCodeOf } from './helpers.js'

const SEED = Uint8Array.from({ length: 32 }, (_, i) => i)
const nameOf = async (seed: Uint8Array, label: string): Promise<string> => (await nameSigner(deriveNameKeys(keyPairFromSeed(seed), label))).name.name

describe('name derivation', () => {
  it('gives the fixed vector: identity seed 00..1f, label "notes"', async () => {
    expect(await nameOf(SEED, 'notes')).toBe('k51qzi5uqu5di50zf652nidti0zt6vmqksmd3waixpc8lh1v2andatvkt9vszc')
  })

  it('gives the same name in another process', async () => {
    const script = `
      import { keyPairFromSeed } from ${JSON.stringify(fileURLToPath(new URL('../../dist/merkle-clock/index.js', import.meta.url)))}
      import { deriveNameKeys, nameSigner } from ${JSON.stringify(fileURLToPath(new URL('../../dist/naming/index.js', import.meta.url)))}
      const id = keyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => i))
      console.log((await nameSigner(deriveNameKeys(id, 'notes'))).name.name)`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
    expect(out.trim()).toBe(await nameOf(SEED, 'notes'))
  })

  it('separates labels and identities, and reads the label NFC-normalized', async () => {
    const other = generateKeyPair().privateKey
    const names = new Set([await nameOf(SEED, 'notes'), await nameOf(SEED, 'Notes'), await nameOf(SEED, 'notes2'), await nameOf(other, 'notes')])
    expect(names.size).toBe(4)
    // é as one code point and as e + combining accent: one label
    expect(await nameOf(SEED, 'caf\u00e9')).toBe(await nameOf(SEED, 'cafe\u0301'))
    // the name key is not the identity key
    expect(deriveNameKeys(keyPairFromSeed(SEED), 'notes').publicKey).not.toEqual(keyPairFromSeed(SEED).publicKey)
  })

  it('refuses empty, overlong and control-character labels with ERR_INVALID_LABEL', () => {
    for (const label of ['', 'x'.repeat(101), 'a\nb', 'tab\there']) {
      expect(RhizomeErrorCodeOf(() => deriveNameKeys(keyPairFromSeed(SEED), label))).toBe('ERR_INVALID_LABEL')
    }
  })

  it('parses a name in its written forms and refuses what is not one with ERR_INVALID_NAME', async () => {
    const name = await nameOf(SEED, 'notes')
    const parsed = parseName(name)
    expect(parseName('/ipns/' + name).name).toBe(name)
    expect(parseName('ipns://' + name).name).toBe(name)
    // the base58 peer ID of the same key
    expect(parseName(parsed.publicKey.toString()).name).toBe(name)
    expect(parsed.topic.startsWith('/record/L2lwbnMv')).toBe(true) // base64url of "/ipns/"
    for (const bad of ['', 'k51', 'bafyreidvuajbnxnxghgmjztfrebxbejalgtejv3jnu274z5mj42v4j5cou', '/ipns/a/b', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'x'.repeat(300)]) {
      expect(RhizomeErrorCodeOf(() => parseName(bad)), bad).toBe('ERR_INVALID_NAME')
    }
  })
})
