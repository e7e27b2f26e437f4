/**
 * A stock Helia node for interop tests and benchmarks: light constructors (TCP, Noise,
 * Yamux, identify, bitswap, its own memory stores; nothing of Rhizome) with the extra
 * libp2p services given, started, listening on loopback.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryBlockstore } from 'blockstore-core'
import { MemoryDatastore } from 'datastore-core'

export async function stockHelia (services: Record<string, (components: any) => unknown> = {}): Promise<any> {
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore(), codecs: [dagCbor] }), {
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ...services }
  }))
  await helia.start()
  return helia
}
