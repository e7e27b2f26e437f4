/**
 * CAR files (https://ipld.io/specs/transport/car/carv1/) as a source of blocks for
 * a merge, and as an export of a database's blocks. A CAR's blocks are untrusted
 * like any peer's: merge verifies each one. @ipld/car is loaded when a CAR is first
 * read or written, not with the package (it costs tens of milliseconds at start-up).
 */
import type { CarReader } from '@ipld/car'
import type { CID } from 'multiformats/cid'
import { RhizomeError } from '../quad-model/index.js'
import type { BlockFetcher } from './merge.js'
import { decodeManifest } from './manifest.js'

export interface CarSource {
  roots: CID[]
  fetch: BlockFetcher
}

/** Bytes that are not a CAR file. */
export class InvalidCarError extends RhizomeError {
  override name = 'InvalidCarError'
  constructor (reason: string, options?: ErrorOptions) {
    super('ERR_INVALID_CAR', `not a valid CAR file: ${reason}`, options)
  }
}

/** Reads a CAR file's bytes into a block source. */
export async function readCar (bytes: Uint8Array): Promise<CarSource> {
  const { CarReader } = await import('@ipld/car')
  let reader: CarReader
  try {
    reader = await CarReader.fromBytes(bytes)
  } catch (err) {
    throw new InvalidCarError((err as Error).message, { cause: err })
  }
  return {
    roots: await reader.getRoots(),
    fetch: { get: async cid => (await reader.get(cid))?.bytes }
  }
}

/** Writes blocks into a CAR with the given roots, as a stream of byte chunks. */
export async function * writeCar (roots: CID[], blocks: AsyncIterable<{ cid: CID, bytes: Uint8Array }>): AsyncGenerator<Uint8Array> {
  const { CarWriter } = await import('@ipld/car')
  const { writer, out } = CarWriter.create(roots)
  const feeding = (async () => {
    try {
      for await (const block of blocks) await writer.put(block)
    } finally {
      await writer.close()
    }
  })()
  for await (const chunk of out) yield chunk
  await feeding
}

/** The database address a CAR names: its first root, when that root is a manifest. */
export async function manifestRoot (car: CarSource): Promise<CID | undefined> {
  const first = car.roots[0]
  if (first === undefined) return undefined
  const bytes = await car.fetch.get(first)
  if (bytes === undefined) return undefined
  try {
    return decodeManifest(first, bytes).cid
  } catch {
    return undefined
  }
}
