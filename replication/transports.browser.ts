/**
 * What a browser replica's libp2p node dials with (transports.ts is Node's): WebSockets
 * only (a page cannot listen, and has no TCP or mDNS), so it reaches replicas that
 * listen on WebSockets, such as `rhizome serve`, and replicates with them as any replica.
 *
 * What may be dialled is libp2p's own rule for browsers: secure WebSockets (`/tls/ws`,
 * `/wss`) to public addresses only; a page on an https: origin may not open ws:// at
 * all, and dialling private addresses from the open web probes the visitor's network.
 * `allowInsecureLocal: true` also allows any WebSockets address that is loopback,
 * private or `localhost` (a `rhizome serve` on this machine or the LAN: development and
 * tests); a public address still has to be secure.
 */
import { webSockets } from '@libp2p/websockets'
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { UnsupportedPlatformError } from '../quad-model/index.js'
import type { TransportOptions, Transports } from './transports.js'

const secure = (address: Multiaddr): boolean => {
  const names = address.getComponents().map(c => c.name)
  return names.includes('wss') || (names.includes('tls') && names.includes('ws'))
}

export function platformTransports (options: TransportOptions): Transports {
  if (options.mdns === true) throw new UnsupportedPlatformError('mDNS discovery')
  const allowLocal = options.allowInsecureLocal === true
  return {
    transports: [webSockets()],
    peerDiscovery: [],
    listen: [],
    denyDial: address => isPrivate(address) ? !allowLocal : !secure(address)
  }
}
