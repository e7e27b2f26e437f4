/** CIDs as callers give them: a CID, or its string form. */
import { CID } from 'multiformats/cid'
import { InvalidCidError } from './errors.js'

/** A CID given by a caller, as a CID or its string: anything else is an InvalidCidError. */
export function parseCid (value: CID | string): CID {
  if (typeof value !== 'string') {
    const cid = CID.asCID(value)
    if (cid === null) throw new InvalidCidError(String(value))
    return cid
  }
  try {
    return CID.parse(value)
  } catch (err) {
    throw new InvalidCidError(value, { cause: err })
  }
}
