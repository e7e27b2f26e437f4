/** The errors of opening a database and of writing to one, raised by the graph layer. */
import { RhizomeError } from '../quad-model/index.js'

/** No database in the folder, the store or the fetcher asked. */
export class DatabaseNotFoundError extends RhizomeError {
  override name = 'DatabaseNotFoundError'
  constructor (where: string) {
    super('ERR_NO_DATABASE', `no database in ${where}`)
  }
}

/** `create: { exclusive: true }` for a folder that already holds a database. */
export class DatabaseExistsError extends RhizomeError {
  override name = 'DatabaseExistsError'
  constructor (readonly where: string, readonly address: string) {
    super('ERR_DATABASE_EXISTS', `${where} already holds database ${address}`)
  }
}

/** The folder (or a CAR file) holds another database than the one asked for. */
export class DatabaseMismatchError extends RhizomeError {
  override name = 'DatabaseMismatchError'
  constructor (readonly stored: string, readonly asked: string, what = 'this folder holds database') {
    super('ERR_DATABASE_MISMATCH', `${what} ${asked}, not ${stored}`)
  }
}

/** A write on a replica whose key is not among the database's writers. */
export class ReadOnlyReplicaError extends RhizomeError {
  override name = 'ReadOnlyReplicaError'
  constructor (readonly writer: string) {
    super('ERR_NOT_A_WRITER', `this replica's key ${writer} is not a writer of the database`)
  }
}

/** A head or address given as a string that is not a CID. */
export class InvalidCidError extends RhizomeError {
  override name = 'InvalidCidError'
  constructor (readonly input: string, options?: ErrorOptions) {
    super('ERR_INVALID_CID', `${JSON.stringify(input.slice(0, 100))} is not a CID`, options)
  }
}
