/**
 * What a browser replica may dial (replication/transports.browser.ts): by default
 * libp2p's rule for browsers, secure WebSockets to public addresses only; with
 * allowInsecureLocal also any WebSockets address on loopback, private networks and
 * localhost, while a public one must still be secure. And what it has: WebSockets only,
 * nothing to listen on, no mDNS.
 */
import { describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { platformTransports } from '../../replication/transports.browser.js'

const ID = '/p2p/12D3KooWGjyXDjsVHudW46bNeCLJaqjMbEEcbmaxwgyfWALaM6Ta'

/** Whether each address may be dialled, without and with allowInsecureLocal. */
const dialable = (address: string): [boolean, boolean] => [
  !platformTransports({}).denyDial(multiaddr(address + ID)),
  !platformTransports({ allowInsecureLocal: true }).denyDial(multiaddr(address + ID))
]

describe('the browser transports', () => {
  it('dial secure WebSockets to public addresses, and local ones only with allowInsecureLocal', () => {
    expect(dialable('/dns4/pin.example.org/tcp/443/tls/ws')).toEqual([true, true])
    expect(dialable('/dns4/pin.example.org/tcp/443/wss')).toEqual([true, true])
    expect(dialable('/ip4/93.184.215.14/tcp/4443/tls/ws')).toEqual([true, true])
    // plain ws:// to a public address: never
    expect(dialable('/ip4/93.184.215.14/tcp/4002/ws')).toEqual([false, false])
    expect(dialable('/dns4/pin.example.org/tcp/80/ws')).toEqual([false, false])
    // loopback, private, localhost: only when allowed, plain or secure
    for (const local of ['/ip4/127.0.0.1/tcp/4002/ws', '/ip4/192.168.1.20/tcp/4002/ws', '/ip4/10.0.0.3/tcp/4002/tls/ws', '/dns4/localhost/tcp/4002/ws', '/ip6/::1/tcp/4002/ws']) {
      expect(dialable(local), local).toEqual([false, true])
    }
  })

  it('have WebSockets only, listen nowhere, and refuse mDNS', () => {
    const platform = platformTransports({})
    expect(platform.transports).toHaveLength(1)
    expect(platform.listen).toEqual([])
    expect(platform.peerDiscovery).toEqual([])
    expect(() => platformTransports({ mdns: true })).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED_PLATFORM' }))
  })
})
