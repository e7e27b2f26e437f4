/**
 * Types of the vendored Helia code (index.js, built by scripts/vendor-helia.mjs): only what
 * replication/node.ts uses, written against the packages Rhizome depends on, so the
 * published types need none of the three vendored packages.
 */
import type { Helia as HeliaNode, Router } from '@helia/interface'
import type { Libp2p } from '@libp2p/interface'
import type { Blockstore } from 'interface-blockstore'
import type { Datastore } from 'interface-datastore'
import type { BlockCodec } from 'multiformats/codecs/interface'

export interface HeliaInit {
  name: string
  version: string
  blockstore: Blockstore
  datastore: Datastore
  codecs?: Array<BlockCodec<any, any>>
}

/** helia's node class (`createHeliaLight` is `new Helia`). */
export declare class Helia {
  constructor (init: HeliaInit)
}
// The class implements the Helia interface; merging says so without restating its members.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Helia extends HeliaNode {}

/** The vendored helia release: the name and version a node built by `createHeliaLight` reports. */
export declare const heliaName: string
export declare const heliaVersion: string

/** @helia/bitswap: serves and fetches blocks over bitswap through `helia.libp2p`. */
export declare function withBitswap<H extends HeliaNode & { libp2p: Libp2p<any> }> (helia: H, options?: Record<string, unknown>): H

/** @helia/libp2p's router: content and peer routing through libp2p. */
export declare function libp2pRouting (libp2p: Libp2p): Router
