/**
 * Name keys, derived from the replica's identity and a label.
 *
 * seed = HKDF-SHA-256(ikm = the identity's 32-byte Ed25519 seed, salt = "rhizome/naming/v1",
 *                     info = the label in UTF-8, NFC-normalized, length = 32)
 * and the name key is the Ed25519 key of that seed (RFC 5869, RFC 8032).
 *
 * Why HKDF and not the design's sign-the-label-and-seed: an Ed25519 signature is
 * deterministic, so signing the label would work, but it makes the seed of a name a
 * signature, and the identity key signs other things in public (every commit). A
 * signature is meant to be shown: any message of the identity's that ever equalled a
 * label's bytes would publish that name's private key. HKDF keeps the identity's secret
 * an input only, separates the names of different labels and identities as a PRF does,
 * and the salt separates this use from any other derivation from the same key.
 * Same identity and label: the same name on any machine. Without the identity's secret
 * nobody can derive a name's key (nor tell that two names share an identity).
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { keyPairFromSeed, type KeyPair } from '../merkle-clock/index.js'
import { InvalidLabelError } from './errors.js'

export const NAME_DERIVATION_SALT = 'rhizome/naming/v1'
export const MAX_LABEL_LENGTH = 100

/** The label as derived from (NFC), or InvalidLabelError. */
export function checkLabel (label: string): string {
  if (typeof label !== 'string' || label.length === 0) throw new InvalidLabelError(String(label), 'is empty')
  const normal = label.normalize('NFC')
  if ([...normal].length > MAX_LABEL_LENGTH) throw new InvalidLabelError(label, `is longer than ${MAX_LABEL_LENGTH} characters`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(normal)) throw new InvalidLabelError(label, 'holds a control character')
  return normal
}

/** The Ed25519 key pair of `label`'s name under `identity`. */
export function deriveNameKeys (identity: KeyPair, label: string): KeyPair {
  const info = new TextEncoder().encode(checkLabel(label))
  const seed = hkdf(sha256, identity.privateKey, new TextEncoder().encode(NAME_DERIVATION_SALT), info, 32)
  return keyPairFromSeed(seed)
}
