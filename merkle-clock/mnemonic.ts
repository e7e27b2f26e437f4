/**
 * An identity a person can carry: the 32-byte Ed25519 seed as a BIP-39 recovery phrase
 * of 24 English words (256 bits of entropy and an 8-bit checksum), with @scure/bip39.
 * The phrase is the seed itself, not a seed for a derivation (BIP-39's PBKDF2 step is
 * not used): writing it down and typing it back gives the same key, so the same writer
 * and the same names (naming/derive.ts), on any machine. It is as secret as the key.
 * The word list is loaded on first use, not with Rhizome.
 */
import { RhizomeError } from '../quad-model/index.js'
import { keyPairFromSeed, type KeyPair } from './keys.js'

export class InvalidMnemonicError extends RhizomeError {
  override name = 'InvalidMnemonicError'
  constructor (reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_MNEMONIC', `not a recovery phrase: ${reason} (24 words, as rhizome id --mnemonic printed them)`, options)
  }
}

/** The 24 words of an identity. */
export async function identityToMnemonic (keys: KeyPair): Promise<string> {
  const [{ entropyToMnemonic }, { wordlist }] = await Promise.all([import('@scure/bip39'), import('@scure/bip39/wordlists/english.js')])
  return entropyToMnemonic(keys.privateKey, wordlist)
}

/** The identity of 24 words (spaces, case and line breaks do not matter). */
export async function identityFromMnemonic (phrase: string): Promise<KeyPair> {
  const [{ mnemonicToEntropy }, { wordlist }] = await Promise.all([import('@scure/bip39'), import('@scure/bip39/wordlists/english.js')])
  const words = phrase.normalize('NFKD').toLowerCase().trim().split(/\s+/).filter(w => w.length > 0)
  if (words.length !== 24) throw new InvalidMnemonicError(`${words.length} word${words.length === 1 ? '' : 's'}, not 24`)
  const unknown = words.find(w => !wordlist.includes(w))
  if (unknown !== undefined) throw new InvalidMnemonicError(`"${unknown.slice(0, 20)}" is not a word of the BIP-39 English list`)
  let seed: Uint8Array
  try {
    seed = mnemonicToEntropy(words.join(' '), wordlist)
  } catch (err) {
    throw new InvalidMnemonicError('its checksum does not match (a word is wrong or out of order)', { cause: err })
  }
  return keyPairFromSeed(seed)
}
