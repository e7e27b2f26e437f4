/**
 * What a Node replica's libp2p node dials and listens with (node.ts builds the rest):
 * TCP and WebSockets (secure ones with a certificate given), mDNS discovery when asked,
 * and any address, loopback and private ones included, since tests, LANs and pinning peers live there. transports.browser.ts
 * is the browser build's: WebSockets only, and libp2p's secure rule for what to dial.
 */
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import type { PeerDiscovery, Transport } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface TransportOptions {
  /** Finds peers on the local network by mDNS. Default: off. Node only. */
  mdns?: boolean
  /**
   * Browser only: lets a page dial plain `ws://` and private or loopback addresses (a
   * `rhizome serve` on this machine or the LAN), which browsers are otherwise kept from
   * (public addresses must be `/tls/ws` or `/wss`). For local development and tests.
   * Default false. A Node replica dials any address.
   */
  allowInsecureLocal?: boolean
  /**
   * Node only: the certificate (PEM, with its chain) and private key for listening on
   * secure WebSockets, `/tls/ws` (or `/wss`) in `listen`: what browsers on the web need to
   * reach a replica (docs/BROWSER.md). Default: none (a /tls/ws listener cannot complete
   * a handshake).
   */
  tls?: { cert: string | Uint8Array, key: string | Uint8Array }
}

export interface Transports {
  transports: Array<(components: any) => Transport>
  peerDiscovery: Array<(components: any) => PeerDiscovery>
  /** Listened on when NodeOptions.listen is not given. */
  listen: string[]
  /** Whether an address may not be dialled (the connection gater's denyDialMultiaddr). */
  denyDial: (address: Multiaddr) => boolean
}

const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']

const toPem = (pem: string | Uint8Array): string => typeof pem === 'string' ? pem : new TextDecoder().decode(pem)

export function platformTransports (options: TransportOptions): Transports {
  return {
    transports: [tcp(), webSockets(options.tls === undefined ? {} : { https: { cert: toPem(options.tls.cert), key: toPem(options.tls.key) } })],
    peerDiscovery: options.mdns === true ? [mdns()] : [],
    listen: DEFAULT_LISTEN,
    denyDial: () => false
  }
}
