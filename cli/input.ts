/**
 * The input of `rhizome import`: a file (gunzipped when it begins with gzip's magic
 * bytes, whatever its name) or standard input (gunzipped the same way, by the core's
 * parser), and the RDF format it is in. The file is opened before the
 * database, so a missing file or unknown format fails fast and touches nothing.
 */
import { open } from 'node:fs/promises'
import type { ReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { InvalidArgumentError } from 'commander'
import { formatOfPath, isGzip, rdfFormat, RhizomeError, type RdfFormat } from '../index.js'
import { InputFileError } from './errors.js'

export interface ImportInput {
  data: AsyncIterable<Uint8Array>
  format: RdfFormat
  /** The file's size in bytes; undefined for standard input. */
  size?: number
  /** Whether the file is gzipped (so its size says little about its quads). */
  compressed: boolean
  /** Bytes read from the file so far (before gunzipping). */
  bytesRead: () => number
  close: () => void
}

/** The names `import -f` takes, for its help. */
export const READ_FORMATS = 'nq, nt, ttl, trig, rdf (RDF/XML) or jsonld'

/** Commander's parser of `import -f`: an unknown name is a usage error (exit 2). */
export function readableFormat (value: string): string {
  try {
    rdfFormat(value)
  } catch (err) {
    if (err instanceof RhizomeError) throw new InvalidArgumentError(`expected ${READ_FORMATS}`)
    throw err
  }
  return value
}

/** The format `--format` names, else the one the file name gives. */
export function inputFormat (file: string, flag: string | undefined): RdfFormat {
  if (flag !== undefined) return rdfFormat(flag)
  const format = formatOfPath(file)
  if (format === undefined) throw new InputFileError(file, `cannot tell the RDF format from the file name (use --format ${READ_FORMATS})`)
  return format
}

/** Opens `file`, or standard input for `-` (whose format must then be given). */
export async function openInput (file: string, format: RdfFormat): Promise<ImportInput> {
  if (file === '-') {
    return { data: process.stdin, format, compressed: false, bytesRead: () => 0, close: () => {} }
  }
  let handle
  try {
    handle = await open(file, 'r')
  } catch (err) {
    throw new InputFileError(file, reasonOf(err), { cause: err })
  }
  const stat = await handle.stat()
  if (stat.isDirectory()) {
    await handle.close()
    throw new InputFileError(file, 'is a folder, not a file')
  }
  const head = new Uint8Array(2)
  const { bytesRead } = await handle.read(head, 0, 2, 0)
  const compressed = isGzip(head.subarray(0, bytesRead))
  if (!compressed && file.toLowerCase().endsWith('.gz')) {
    await handle.close()
    throw new InputFileError(file, "not valid gzip: its name ends in .gz but it does not begin with gzip's magic bytes")
  }
  const raw: ReadStream = handle.createReadStream({ start: 0 })
  return {
    data: compressed ? gunzip(raw, file) : raw,
    format,
    compressed,
    size: stat.size,
    bytesRead: () => raw.bytesRead,
    close: () => { raw.destroy() }
  }
}

async function * gunzip (source: Readable, file: string): AsyncGenerator<Uint8Array> {
  const inflate = createGunzip({ chunkSize: 1 << 16 })
  source.on('error', err => inflate.destroy(err))
  source.pipe(inflate)
  try {
    for await (const chunk of inflate) yield chunk as Uint8Array
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (typeof code === 'string' && code.startsWith('Z_')) throw new InputFileError(file, `not valid gzip (${(err as Error).message})`, { cause: err })
    throw err
  } finally {
    source.destroy()
    inflate.destroy()
  }
}

function reasonOf (err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file'
    case 'EACCES': return 'permission denied'
    case 'EISDIR': return 'is a folder, not a file'
    default: return (err as Error).message
  }
}
