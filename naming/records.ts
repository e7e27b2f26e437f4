/**
 * IPNS records, made and checked with the `ipns` package exactly as the IPFS ecosystem
 * makes them: V2 signatures only (`v1Compatible: false`), value `/ipfs/<root CID>`, an EOL
 * validity, a TTL and a sequence that grows with every publish. Checking refuses, with a
 * code each: a record over 10 KiB (before it is parsed), one that does not decode or whose
 * fields disagree, a V1-only one, a forged one, an expired one; and, against the record
 * held, an older one (a replay). "Newer" is the `ipns` package's selector: the higher
 * sequence, then the later validity.
 */
import { createIPNSRecord, marshalIPNSRecord, unmarshalIPNSRecord, type IPNSRecord } from 'ipns'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator } from 'ipns/validator'
import type { PrivateKey } from '@libp2p/interface'
import { CID } from 'multiformats/cid'
import { equals } from 'uint8arrays'
import { RecordError } from './errors.js'
import type { IpnsName } from './name.js'

/** The IPNS specification's limit on a record. */
export const MAX_RECORD_BYTES = 10 * 1024

/**
 * A record's default lifetime: 24 hours. The DHT refuses records valid for more than 48 h,
 * so a lifetime there must stay under that with room for clock skew; within it, longer is
 * better for a name whose publisher goes offline, since a pinner can re-serve a record but
 * never extend it. A running publisher republishes at half the lifetime.
 */
export const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000
/** Longest lifetime accepted for a publish: the DHT's 48 h. */
export const MAX_LIFETIME_MS = 48 * 60 * 60 * 1000
/** A record's TTL, how long a resolver may cache it: 5 minutes, so a new publish is seen soon (Kubo's default too). */
export const DEFAULT_TTL_MS = 5 * 60 * 1000

export interface CheckedRecord {
  /** The marshalled record, as received. */
  bytes: Uint8Array
  record: IPNSRecord
  /** The value: `/ipfs/...` for Rhizome's records. */
  value: string
  sequence: bigint
  /** When the record stops being valid, ms since the epoch. */
  expires: number
}

/** A V2-only record for `name` pointing at `/ipfs/<root>`. */
export async function makeRecord (privateKey: PrivateKey, root: CID, sequence: bigint, lifetimeMs = DEFAULT_LIFETIME_MS, ttlMs = DEFAULT_TTL_MS): Promise<Uint8Array> {
  const record = await createIPNSRecord(privateKey, root, sequence, lifetimeMs, { v1Compatible: false, ttlNs: BigInt(ttlMs) * 1_000_000n })
  return marshalIPNSRecord(record)
}

/** Checks `bytes` as a record of `name`: size first, then decoding, V2 signature and validity. */
export async function checkRecord (name: IpnsName, bytes: Uint8Array): Promise<CheckedRecord> {
  if (!(bytes instanceof Uint8Array)) throw new RecordError('ERR_RECORD_INVALID', name.name, 'not bytes')
  if (bytes.byteLength > MAX_RECORD_BYTES) throw new RecordError('ERR_RECORD_TOO_LARGE', name.name, `${bytes.byteLength} bytes, more than ${MAX_RECORD_BYTES}`)
  let record: IPNSRecord
  try {
    record = unmarshalIPNSRecord(bytes)
  } catch (err) {
    const message = (err as Error).message ?? ''
    if (/missing data or signatureV2/i.test(message)) throw new RecordError('ERR_RECORD_V1_ONLY', name.name, 'it has no V2 signature', { cause: err })
    throw new RecordError('ERR_RECORD_INVALID', name.name, message, { cause: err })
  }
  try {
    await ipnsValidator(name.routingKey, bytes)
  } catch (err) {
    const kind = (err as Error).name
    const message = (err as Error).message ?? ''
    if (kind === 'RecordExpiredError') throw new RecordError('ERR_RECORD_EXPIRED', name.name, `it was valid until ${record.validity}`, { cause: err })
    if (kind === 'RecordTooLargeError') throw new RecordError('ERR_RECORD_TOO_LARGE', name.name, message, { cause: err })
    if (kind === 'SignatureVerificationError' || kind === 'InvalidEmbeddedPublicKeyError') throw new RecordError('ERR_RECORD_SIGNATURE', name.name, `it is not signed by the name's key (${message})`, { cause: err })
    throw new RecordError('ERR_RECORD_INVALID', name.name, message, { cause: err })
  }
  const expires = Date.parse(record.validity)
  if (Number.isNaN(expires)) throw new RecordError('ERR_RECORD_INVALID', name.name, `its validity ${JSON.stringify(record.validity)} is not a date`)
  return { bytes, record, value: record.value, sequence: record.sequence, expires }
}

/** Whether `candidate` replaces `held` (the `ipns` selector's order: sequence, then validity). */
export function isNewer (name: IpnsName, candidate: CheckedRecord, held: CheckedRecord | undefined): boolean {
  if (held === undefined) return true
  if (equals(candidate.bytes, held.bytes)) return false
  return ipnsSelector(name.routingKey, [held.bytes, candidate.bytes]) === 1
}

/** Throws ERR_RECORD_REPLAYED when `candidate` is not newer than `held` and not the same record. */
export function assertNotOlder (name: IpnsName, candidate: CheckedRecord, held: CheckedRecord | undefined): void {
  if (held === undefined || equals(candidate.bytes, held.bytes) || isNewer(name, candidate, held)) return
  throw new RecordError('ERR_RECORD_REPLAYED', name.name, `its sequence ${candidate.sequence} (valid until ${candidate.record.validity}) is not newer than the held ${held.sequence} (until ${held.record.validity})`)
}

/** The root CID of a value `/ipfs/<cid>`, or undefined. */
export function rootOfValue (value: string): CID | undefined {
  const match = /^\/ipfs\/([^/]+)$/.exec(value)
  if (match === null) return undefined
  try {
    return CID.parse(match[1])
  } catch {
    return undefined
  }
}
