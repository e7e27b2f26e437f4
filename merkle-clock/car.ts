/**
 * CAR files (https://ipld.io/specs/transport/car/carv1/) as a source of blocks for
 * a merge, and as an export of a database's blocks. A CAR's blocks are untrusted
 * like any peer's: merge verifies each one.
 */
import { CarReader, CarWriter } from '@ipld/car'
import type { CID } from 'multiformats/cid'
import type { BlockFetcher } from './merge.js'

export interface CarSource {
  roots: CID[]
  fetch: BlockFetcher
}

/** Reads a CAR file's bytes into a block source. */
export async function readCar (bytes: Uint8Array): Promise<CarSource> {
  const reader = await CarReader.fromBytes(bytes)
  return {
    roots: await reader.getRoots(),
    fetch: { get: async cid => (await reader.get(cid))?.bytes }
  }
}

/** Writes blocks into a CAR with the given roots, as a stream of byte chunks. */
export async function * writeCar (roots: CID[], blocks: AsyncIterable<{ cid: CID, bytes: Uint8Array }>): AsyncGenerator<Uint8Array> {
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
