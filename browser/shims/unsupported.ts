import { RhizomeError } from '../../quad-model/index.js'

/** A call that needs Node (a file, a folder, a worker thread) made in the browser build. */
export class UnsupportedPlatformError extends RhizomeError {
  override name = 'UnsupportedPlatformError'
  constructor (readonly what: string) {
    super('ERR_UNSUPPORTED_PLATFORM', `${what} needs Node; the browser build has no file system or worker threads`)
  }
}
