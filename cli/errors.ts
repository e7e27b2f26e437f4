/**
 * Errors of the command line's own conditions. Like the core's, each carries a code
 * from a closed set; main.ts turns any RhizomeError into exit status 1.
 */
import { RhizomeError } from '../index.js'

/** A command other than init and id, pointed at a folder that holds no database. */
export class NoDatabaseError extends RhizomeError {
  override name = 'NoDatabaseError'
  constructor (readonly folder: string, options?: ErrorOptions) {
    super('ERR_NO_DATABASE', `no database in ${folder} (run rhizome init)`, options)
  }
}

/** A file named on the command line that cannot be read as what the command needs. */
export class InputFileError extends RhizomeError {
  override name = 'InputFileError'
  constructor (readonly path: string, reason: string, options?: ErrorOptions) {
    super('ERR_INPUT_FILE', `${path}: ${reason}`, options)
  }
}

/** An address to listen on (--listen) that another process holds. */
export class ListenAddressInUseError extends RhizomeError {
  override name = 'ListenAddressInUseError'
  constructor (readonly address: string, readonly port: number, options?: ErrorOptions) {
    super('ERR_PORT_IN_USE', `cannot listen on ${address}: port ${port} is already in use (choose another with --listen, or /tcp/0 for any free one)`, options)
  }
}

/** Cloning from peers: none of them answered for the database within the time allowed. */
export class NothingAnsweredError extends RhizomeError {
  override name = 'NothingAnsweredError'
  constructor (readonly address: string, readonly seconds: number, options?: ErrorOptions) {
    super('ERR_NO_PEERS', `nothing answered for database ${address} within ${seconds} s: no --peer reached serves it (check the address and that the peer runs rhizome serve or pin)`, options)
  }
}

/**
 * The ListenAddressInUseError libp2p's "addresses failed to be listened on" stands for,
 * or `err` itself. libp2p gives no code, only its message listing each address and its
 * errno, so that message is read here, the one place.
 */
export function listenError (err: unknown): unknown {
  if (!(err instanceof Error) || err.name !== 'UnsupportedListenAddressesError') return err
  const match = /(\/ip[46]\/[^\s:]+\/tcp\/(\d+)[^\s:]*): Error: listen EADDRINUSE/.exec(err.message)
  return match === null ? err : new ListenAddressInUseError(match[1], Number(match[2]), { cause: err })
}

/** A block of a file that `rhizome cat` needs is neither in the database nor at any --peer asked. */
export class FileBlockMissingError extends RhizomeError {
  override name = 'FileBlockMissingError'
  constructor (readonly block: string, readonly folder: string, readonly peers: readonly string[], options?: ErrorOptions) {
    super('ERR_MISSING_BLOCK', `block ${block} is missing: not in the database in ${folder}${peers.length === 0 ? ', and no --peer was given to fetch it from' : ` nor at ${peers.join(', ')}`}`, options)
  }
}

/** `rhizome cat --peer`: the file did not arrive from any peer within --timeout. */
export class FileNotOnNetworkError extends RhizomeError {
  override name = 'FileNotOnNetworkError'
  constructor (readonly iri: string, readonly ms: number, readonly peers: readonly string[], options?: ErrorOptions) {
    super('ERR_NOT_FOUND_ON_NETWORK', `file ${iri} did not arrive within ${ms} ms from ${peers.join(', ')} (no peer has it, or it is too slow: raise --timeout)`, options)
  }
}

/** A network command that did not finish within --timeout. */
export class NetworkTimeoutError extends RhizomeError {
  override name = 'NetworkTimeoutError'
  constructor (readonly what: string, readonly ms: number, options?: ErrorOptions) {
    super('ERR_NETWORK_TIMEOUT', `${what} did not finish within ${ms} ms (raise --timeout)`, options)
  }
}
