/** node:fs and node:fs/promises in the browser build: there are no files (file: URLs, LOAD <file:...>). */
import { UnsupportedPlatformError } from './unsupported.js'

export function createReadStream (url: URL | string): never { throw new UnsupportedPlatformError(`reading ${String(url)}`) }
export async function readFile (url: URL | string): Promise<never> { throw new UnsupportedPlatformError(`reading ${String(url)}`) }
export function existsSync (_path: string): boolean { return false }
export async function realpath (path: string): Promise<never> { throw new UnsupportedPlatformError(`reading ${path}`) }
