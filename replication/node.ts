/**
 * The libp2p node a replicator runs on: js-libp2p built from exactly the modules Rhizome
 * uses (the platform's transports from transports.ts: TCP and WebSockets in Node, optionally
 * mDNS discovery, WebSockets only in browsers; Noise, Yamux, identify, gossipsub, Fetch,
 * optionally a private-network key), inside a Helia node for bitswap. Helia's
 * blockstore is the databases' own block store (blockstore.ts).
 *
 * Helia's node class, bitswap and libp2p router are vendored (vendor/index.js, see
 * scripts/vendor-helia.mjs for why); `withLibp2p` here does what `@helia/libp2p`'s
 * `withLibp2pLight` does for a node given its key: it creates libp2p on start with the
 * Helia node's datastore and user agent, adds libp2p routing and stops libp2p on stop.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { fetch, type Fetch } from '@libp2p/fetch'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { preSharedKey } from '@libp2p/pnet'
import { yamux } from '@libp2p/yamux'
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { NotStartedError, type ConnectionGater, type Libp2p, type PeerId } from '@libp2p/interface'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { userAgent } from 'libp2p/user-agent'
import { MemoryDatastore } from 'datastore-core'
import type { Blockstore } from 'interface-blockstore'
import type { KeyPair } from '../merkle-clock/index.js'
import { Helia, heliaName, heliaVersion, libp2pRouting, withBitswap } from './vendor/index.js'
import { platformTransports, type TransportOptions } from './transports.js'
import { MAX_FRAME_BYTES } from './wire.js'

export interface NodeOptions extends TransportOptions {
  /** Multiaddrs to listen on. Default: TCP and WebSockets on every interface, ports chosen by the OS (in a browser: none). */
  listen?: string[]
  /** A libp2p private-network key (the 95-byte swarm key file): peers without it cannot connect. Default: none. */
  psk?: Uint8Array
  /** The node's key (its peer ID). Default: a fresh one each start. */
  identity?: KeyPair
}

export type RhizomeServices = { identify: unknown, pubsub: GossipSub, fetch: Fetch }
/** A Helia node with its libp2p node (available once started). */
export type RhizomeHelia = Helia & { libp2p: Libp2p<RhizomeServices> }

/** Builds (but does not start) the Helia node. `denied` is asked before any connection with a peer is kept. */
export async function createNode (blockstore: Blockstore, options: NodeOptions, denied: (peer: PeerId) => boolean): Promise<RhizomeHelia> {
  // Given a key, Helia would not derive and encrypt one in its keychain (seconds of PBKDF2).
  const privateKey = options.identity === undefined ? await generateKeyPair('Ed25519') : await generateKeyPairFromSeed('Ed25519', options.identity.privateKey)
  const platform = platformTransports(options)
  const gater: ConnectionGater = {
    denyDialPeer: peer => denied(peer),
    denyInboundEncryptedConnection: peer => denied(peer),
    denyOutboundEncryptedConnection: peer => denied(peer),
    denyDialMultiaddr: address => platform.denyDial(address)
  }
  const helia = new Helia({ name: heliaName, version: heliaVersion, blockstore, datastore: new MemoryDatastore(), codecs: [dagCbor] })
  const withNet = withLibp2p(helia, {
    privateKey,
    addresses: { listen: options.listen ?? platform.listen },
    transports: platform.transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: options.psk === undefined ? undefined : preSharedKey({ psk: options.psk }),
    connectionGater: gater,
    peerDiscovery: platform.peerDiscovery,
    services: {
      identify: identify(),
      // libp2p Fetch: IPNS records by routing key (names.ts), as IPNS over PubSub asks for them
      fetch: fetch({ maxInboundStreams: 4, timeout: 5_000 }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        maxInboundDataLength: MAX_FRAME_BYTES,
        // small meshes converge faster on a few peers
        heartbeatInterval: 500
      })
    }
  })
  return withBitswap(withNet)
}

function withLibp2p (helia: Helia, options: Libp2pOptions<RhizomeServices>): RhizomeHelia {
  let libp2p: Libp2p<RhizomeServices> | undefined
  Object.defineProperty(helia, 'libp2p', {
    configurable: true,
    enumerable: true,
    get () {
      if (libp2p === undefined) throw new NotStartedError('the node is not started')
      return libp2p
    }
  })
  helia.addMixin({
    name: 'libp2p',
    start: async () => {
      libp2p ??= await createLibp2p({
        ...options,
        datastore: helia.datastore,
        nodeInfo: { name: helia.info.name, version: helia.info.version, userAgent: `${helia.info.name}/${helia.info.version} ${userAgent()}` }
      })
      if (!helia.hasRouter('libp2p-router')) helia.addRouter(libp2pRouting(libp2p))
      await libp2p.start()
    },
    stop: async () => { await libp2p?.stop() }
  })
  return helia as RhizomeHelia
}
