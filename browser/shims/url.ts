/** node:url in the browser build: file paths do not exist there. */
import { UnsupportedPlatformError } from './unsupported.js'

export function fileURLToPath (url: URL | string): never { throw new UnsupportedPlatformError(`the file ${String(url)}`) }
export function pathToFileURL (path: string): never { throw new UnsupportedPlatformError(`the file ${path}`) }
