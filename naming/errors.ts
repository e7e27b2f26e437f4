import { RhizomeError } from '../quad-model/index.js'

/** A string that is not the IPNS name of an Ed25519 key. */
export class InvalidNameError extends RhizomeError {
  override name = 'InvalidNameError'
  constructor (readonly value: string, reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_NAME', `${JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value)} is not an IPNS name: ${reason}`, options)
  }
}

/** A label that cannot name a name. */
export class InvalidLabelError extends RhizomeError {
  override name = 'InvalidLabelError'
  constructor (readonly label: string, reason: string) {
    super('ERR_INVALID_LABEL', `the label ${JSON.stringify(label.length > 40 ? label.slice(0, 40) + '…' : label)} ${reason}`)
  }
}

/** No valid record for a name arrived in time. */
export class NameNotFoundError extends RhizomeError {
  override name = 'NameNotFoundError'
  constructor (readonly ipnsName: string, why: string, options?: ErrorOptions) {
    super('ERR_NAME_NOT_FOUND', `no record for /ipns/${ipnsName}: ${why}`, options)
  }
}

export type RecordErrorCode = 'ERR_RECORD_TOO_LARGE' | 'ERR_RECORD_INVALID' | 'ERR_RECORD_V1_ONLY' | 'ERR_RECORD_SIGNATURE' | 'ERR_RECORD_EXPIRED' | 'ERR_RECORD_REPLAYED'

/** An IPNS record refused: too large, malformed, V1-only, forged, expired or replayed (the code says which). */
export class RecordError extends RhizomeError {
  override name = 'RecordError'
  constructor (code: RecordErrorCode, readonly ipnsName: string, reason: string, options?: ErrorOptions) {
    super(code, `the record for /ipns/${ipnsName} was refused: ${reason}`, options)
  }
}

/** A record whose value is not a Rhizome root. */
export class InvalidRootError extends RhizomeError {
  override name = 'InvalidRootError'
  constructor (readonly ipnsName: string, reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_ROOT', `/ipns/${ipnsName} does not point at a Rhizome root: ${reason}`, options)
  }
}

/** A record of one more name than a book keeps. */
export class TooManyNamesError extends RhizomeError {
  override name = 'TooManyNamesError'
  constructor (readonly limit: number) {
    super('ERR_TOO_MANY_NAMES', `this replica keeps records for at most ${limit} names; a new one is refused`)
  }
}
