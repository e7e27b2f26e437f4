import { RhizomeError } from '../quad-model/index.js'

/** A peer broke the wire protocol: an oversized or malformed frame, a block out of place. */
export class ProtocolError extends RhizomeError {
  override name = 'ProtocolError'
  constructor (message: string, options?: ErrorOptions) {
    super('ERR_PROTOCOL', message, options)
  }
}

/**
 * A catch-up stream that ended cleanly before its end frame: unhelpful, not harmful (a peer
 * shutting down may do it), so it costs the peer nothing; the next announcement retries.
 */
export class StreamEndedError extends RhizomeError {
  override name = 'StreamEndedError'
  constructor () {
    super('ERR_STREAM_ENDED', 'the catch-up stream ended before its end frame')
  }
}

/** A catch-up round stopped because its peer was blocked; what it had applied stays. */
export class PeerBlockedError extends RhizomeError {
  override name = 'PeerBlockedError'
  constructor (readonly peer: string) {
    super('ERR_PEER_BLOCKED', `peer ${peer} is blocked`)
  }
}

/** A catch-up found no peer that could serve it. */
export class NoPeersError extends RhizomeError {
  override name = 'NoPeersError'
  constructor (readonly address: string) {
    super('ERR_NO_PEERS', `no connected peer serves database ${address}`)
  }
}

/** The replicator was stopped, or its graph closed. */
export class ReplicatorStoppedError extends RhizomeError {
  override name = 'ReplicatorStoppedError'
  constructor () {
    super('ERR_REPLICATOR_STOPPED', 'replication has stopped')
  }
}

/** An `ipfs://` IRI that does not name a CID. */
export class InvalidFileIriError extends RhizomeError {
  override name = 'InvalidFileIriError'
  constructor (readonly iri: string) {
    super('ERR_INVALID_FILE_IRI', `"${iri}" is not an ipfs://CID IRI`)
  }
}

/** A catch-up request refused: serving it would pass the serving memory budget (serve-budget.ts). */
export class ServeBusyError extends RhizomeError {
  override name = 'ServeBusyError'
  constructor (readonly peer: string, readonly scope: 'total' | 'peer') {
    super('ERR_SERVE_BUSY', `catch-up for ${peer} refused: the ${scope === 'total' ? 'serving budget for all peers' : 'serving budget for that peer'} is used up`)
  }
}

/** A peer that did not read (or send) a catch-up stream within the stall deadline. */
export class SlowReaderError extends RhizomeError {
  override name = 'SlowReaderError'
  constructor (readonly peer: string, readonly ms: number, options?: ErrorOptions) {
    super('ERR_SLOW_READER', `peer ${peer} kept a catch-up stream stalled for over ${ms} ms`, options)
  }
}

/** Blocks fetched over bitswap, awaiting verification, passed the staging budget (bitswap-staging.ts). */
export class StagingFullError extends RhizomeError {
  override name = 'StagingFullError'
  constructor (readonly limit: number) {
    super('ERR_STAGING_FULL', `the bitswap fallback staged more than ${limit} bytes of unverified blocks; none was kept`)
  }
}

/** A block or file that no connected peer sent within the time allowed. */
export class NotFoundOnNetworkError extends RhizomeError {
  override name = 'NotFoundOnNetworkError'
  constructor (readonly what: string, readonly ms: number, options?: ErrorOptions) {
    super('ERR_NOT_FOUND_ON_NETWORK', `${what}: no peer sent it within ${ms} ms`, options)
  }
}

/** A peer given by multiaddr that could not be dialled. */
export class PeerUnreachableError extends RhizomeError {
  override name = 'PeerUnreachableError'
  constructor (readonly address: string, options?: ErrorOptions) {
    super('ERR_PEER_UNREACHABLE', `peer ${address} could not be reached${options?.cause instanceof Error ? ` (${options.cause.message})` : ''}`, options)
  }
}
