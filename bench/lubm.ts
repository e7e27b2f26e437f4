/**
 * LUBM benchmark data: where it lies and how to stream it.
 *
 * The data sets live outside the repository, in `../shared/bench-data` beside the
 * clone (see its README for how they were generated). The repository root is found
 * by walking up to the nearest `package.json`, so the same code works from
 * `bench/*.ts` under tsx and from `dist/bench/*.js` after `tsc`.
 *
 * Every reader streams: the 100 MiB of LUBM(5) N-Triples are never held as one
 * string by the JavaScript peers, only gunzipped chunk by chunk into the parser.
 */
import { existsSync, createReadStream, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGunzip, gunzipSync } from 'node:zlib'
import { StreamParser } from 'n3'
import type { Readable } from 'node:stream'

/** The scales we ship, with the number of distinct triples each holds. */
export const lubmTriples: Readonly<Record<number, number>> = { 1: 100_573, 5: 624_718, 50: 6_656_560 }

/** The repository root: the nearest folder above this module holding package.json. */
export function repoRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
  return dir
}

/** Where the data sets are: `$RHIZOME_BENCH_DATA`, else `../shared/bench-data` beside the repository. */
export function benchDataDir (): string {
  return process.env.RHIZOME_BENCH_DATA ?? resolve(repoRoot(), '..', 'shared', 'bench-data')
}

/** The gzipped N-Triples file of LUBM(scale); throws a clear error where it is missing. */
export function lubmFile (scale: number): string {
  const file = join(benchDataDir(), `lubm-${scale}.nt.gz`)
  if (!existsSync(file)) {
    throw new Error(`benchmark data ${file} not found (set RHIZOME_BENCH_DATA to the folder holding lubm-${scale}.nt.gz)`)
  }
  return file
}

/** The N-Triples of LUBM(scale) as a stream of byte chunks, gunzipped as it is read. */
export function lubmByteStream (scale: number): Readable {
  const gunzip = createGunzip()
  const file = createReadStream(lubmFile(scale))
  file.on('error', (err) => gunzip.destroy(err))
  return file.pipe(gunzip)
}

/** The same, decoded: a stream of UTF-8 string chunks (never split inside a character). */
export function lubmText (scale: number): Readable {
  return lubmByteStream(scale).setEncoding('utf8')
}

/**
 * LUBM(scale) parsed by N3.js's StreamParser: a stream of RDF/JS quads in object
 * mode. Errors of the file, the gunzip or the parser all end the returned stream.
 */
export function lubmQuads (scale: number): StreamParser {
  const parser = new StreamParser({ format: 'N-Triples' })
  const text = lubmText(scale)
  text.on('error', (err) => parser.destroy(err))
  return text.pipe(parser)
}

/**
 * The whole gunzipped file as bytes, for loaders that take a buffer (Oxigraph).
 * It is held once, as bytes, never as a second copy in a string.
 */
export function lubmBytes (scale: number): Buffer {
  return gunzipSync(readFileSync(lubmFile(scale)))
}
