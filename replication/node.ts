/**
 * The libp2p node a replicator runs on, built with Helia's light constructors so that it
 * holds exactly what Rhizome uses: TCP and WebSocket transports, Noise, Yamux, identify,
 * gossipsub, bitswap, and optionally a private-network key (pnet) and mDNS discovery.
 * Helia's blockstore is the databases' own block store (blockstore.ts).
 */
import * as dagCbor from '@ipld/dag-cbor'
import { createHeliaLight } from 'helia'
import { withLibp2pLight, type HeliaWithLibp2p } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { ConnectionGater, PeerId, PeerDiscovery } from '@libp2p/interface'
import { MemoryDatastore } from 'datastore-core'
import type { Blockstore } from 'interface-blockstore'
import type { KeyPair } from '../merkle-clock/index.js'
import { MAX_FRAME_BYTES } from './wire.js'

export interface NodeOptions {
  /** Multiaddrs to listen on. Default: TCP and WebSockets on every interface, ports chosen by the OS. */
  listen?: string[]
  /** A libp2p private-network key (the 95-byte swarm key file): peers without it cannot connect. Default: none. */
  psk?: Uint8Array
  /** Finds peers on the local network by mDNS. Default: off. */
  mdns?: boolean
  /** The node's key (its peer ID). Default: a fresh one each start. */
  identity?: KeyPair
}

export type RhizomeServices = { identify: unknown, pubsub: GossipSub }
export type RhizomeHelia = HeliaWithLibp2p<RhizomeServices>

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']

/** Builds (but does not start) the Helia node. `denied` is asked before any connection with a peer is kept. */
export async function createNode (blockstore: Blockstore, options: NodeOptions, denied: (peer: PeerId) => boolean): Promise<RhizomeHelia> {
  // Given a key, Helia would not derive and encrypt one in its keychain (seconds of PBKDF2).
  const privateKey = options.identity === undefined ? await generateKeyPair('Ed25519') : await generateKeyPairFromSeed('Ed25519', options.identity.privateKey)
  const gater: ConnectionGater = {
    denyDialPeer: peer => denied(peer),
    denyInboundEncryptedConnection: peer => denied(peer),
    denyOutboundEncryptedConnection: peer => denied(peer),
    // Loopback and private addresses are where tests, LANs and pinning peers live.
    denyDialMultiaddr: () => false
  }
  const peerDiscovery: Array<(components: any) => PeerDiscovery> = options.mdns === true ? [mdns()] : []
  const helia = createHeliaLight({ blockstore, datastore: new MemoryDatastore(), codecs: [dagCbor] })
  const withNet = withLibp2pLight(helia, {
    privateKey,
    addresses: { listen: options.listen ?? DEFAULT_LISTEN },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: options.psk === undefined ? undefined : preSharedKey({ psk: options.psk }),
    connectionGater: gater,
    peerDiscovery,
    services: {
      identify: identify(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        maxInboundDataLength: MAX_FRAME_BYTES,
        // small meshes converge faster on a few peers
        heartbeatInterval: 500
      })
    }
  })
  return withBitswap(withNet) as unknown as RhizomeHelia
}
