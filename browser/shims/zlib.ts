/** node:zlib in the browser build: gzipped files are read only from file: URLs, which the browser has not. */
import { UnsupportedPlatformError } from './unsupported.js'

export function createGunzip (): never { throw new UnsupportedPlatformError('gunzipping a file') }
