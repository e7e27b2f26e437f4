/**
 * A hostile peer for tests/replication/hostile-peers.test.ts and bench/hostile-peer.ts: nothing of Rhizome's replicator, only stock
 * libp2p (TCP, Noise, Yamux, identify, gossipsub) inside a stock Helia light node for
 * bitswap, with a memory blockstore of whatever it wants to serve. What it does with the
 * catch-up protocol and the topic is the attacking code of the caller: raw streams and
 * hand-made frames and announcements.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { createHeliaLight } from 'helia'
import { withLibp2pLight } from '@helia/libp2p'
import { withBitswap } from '@helia/bitswap'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import type { Libp2p, Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryBlockstore } from 'blockstore-core'
import { MemoryDatastore } from 'datastore-core'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { CATCHUP_PROTOCOL } from '../replication/index.js'
import { decodeRequest, encodeAnnouncement, encodeRequest, MAX_FRAME_BYTES } from '../replication/wire.js'

export interface Hostile {
  libp2p: Libp2p<{ identify: unknown, pubsub: GossipSub }>
  blockstore: MemoryBlockstore
  peerId: string
  dial: (address: string) => Promise<void>
  /** Subscribes to a topic and waits (up to 20 s) until `peers` subscribers are known; false if they never are or every connection is gone (it may be blocked first). */
  join: (topic: string, peers?: number) => Promise<boolean>
  announce: (topic: string, heads: CID[]) => Promise<void>
  /** Answers every catch-up request: reads the request, then writes `frames` and closes. */
  serveCatchup: (frames: (request: ReturnType<typeof decodeRequest>) => Uint8Array[] | Promise<Uint8Array[]>) => Promise<void>
  /**
   * Opens a catch-up stream to `peer` and sends `request` as one frame, or with `partial`
   * only its length and first half (a request that never ends): what happens next is the caller's.
   */
  openCatchup: (peer: string, request: Uint8Array, options?: { partial?: boolean }) => Promise<Stream>
  stop: () => Promise<void>
}

export async function hostilePeer (): Promise<Hostile> {
  const blockstore = new MemoryBlockstore()
  const helia = withBitswap(withLibp2pLight(createHeliaLight({ blockstore, datastore: new MemoryDatastore(), codecs: [dagCbor] }), {
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, heartbeatInterval: 500 }) }
  }))
  await helia.start()
  const libp2p = helia.libp2p as unknown as Hostile['libp2p']
  const pubsub = libp2p.services.pubsub
  return {
    libp2p,
    blockstore,
    peerId: libp2p.peerId.toString(),
    dial: async address => { await libp2p.dial(multiaddr(address)) },
    join: async (topic, peers = 1) => {
      pubsub.subscribe(topic)
      const deadline = Date.now() + 20_000
      while (pubsub.getSubscribers(topic).length < peers) {
        // hung up on (penalized already, by what subscribing set off): nobody to wait for
        if (Date.now() > deadline || libp2p.getConnections().length === 0) return false
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      return true
    },
    announce: async (topic, heads) => { await pubsub.publish(topic, encodeAnnouncement(heads)).catch(() => {}) },
    serveCatchup: async frames => {
      await libp2p.handle(CATCHUP_PROTOCOL, stream => {
        void (async () => {
          const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
          const request = decodeRequest((await lp.read()).subarray())
          for (const frame of await frames(request)) await lp.write(frame)
          await stream.close()
        })().catch(() => {})
      })
    },
    openCatchup: async (peer, request, options = {}) => {
      const target = libp2p.getConnections().find(c => c.remotePeer.toString() === peer)?.remotePeer
      if (target === undefined) throw new Error(`not connected to ${peer}`)
      const stream = await libp2p.dialProtocol(target, CATCHUP_PROTOCOL, { signal: AbortSignal.timeout(5_000) })
      if (options.partial === true) {
        stream.send(Uint8Array.from([...varint(request.length), ...request.subarray(0, request.length >> 1)]))
        return stream
      }
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
      await lp.write(request)
      return stream
    },
    stop: async () => { await helia.stop() }
  }
}

/** A CID of nothing anyone holds (a dag-cbor CID of a seeded string). */
export function ghostCid (name: string): CID {
  return CID.createV1(dagCbor.code, sha256.digest(new TextEncoder().encode(name)) as Awaited<ReturnType<typeof sha256.digest>>)
}

/** A well-hashed junk block of `size` bytes that claims to be dag-cbor, its bytes drawn from `seed` (sha2-256 in counter mode). */
export async function junkBlock (seed: string, size: number): Promise<{ cid: CID, bytes: Uint8Array }> {
  const bytes = new Uint8Array(size)
  for (let at = 0, i = 0; at < size; at += 32, i++) bytes.set((await sha256.digest(new TextEncoder().encode(`${seed} ${i}`))).digest.subarray(0, size - at), at)
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes }
}

/** A catch-up request for everything (`have` empty), as raw bytes. */
export function everythingRequest (db: CID, have: CID[] = []): Uint8Array {
  return encodeRequest({ db, have, manifest: false, max: Number.MAX_SAFE_INTEGER })
}

function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}
