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
