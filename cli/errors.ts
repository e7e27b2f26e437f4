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
