/**
 * The replicator's peer policy: token buckets, strikes and blocks, and that what it
 * holds stays bounded by the peers recently seen, however many come and go.
 */
import { describe, expect, it } from 'vitest'
import { PeerPolicy, STRIKES_TO_BLOCK } from '../../replication/peer-policy.js'

const options = { blockFor: 60_000, announcementRate: 2 }

function policy (): { policy: PeerPolicy, blocks: string[] } {
  const blocks: string[] = []
  return { policy: new PeerPolicy(options, (peer, reason) => blocks.push(`${peer}: ${reason}`)), blocks }
}

describe('PeerPolicy', () => {
  it('admits a burst, then the average rate, and blocks a sustained flood', () => {
    const { policy: p, blocks } = policy()
    const t = 1_000_000
    const admitted = Array.from({ length: 12 }, () => p.admitAnnouncement('a', t)).filter(Boolean).length
    expect(admitted).toBe(10)
    expect(p.admitAnnouncement('a', t + 500)).toBe(true) // one token back after half a second
    for (let i = 0; i < 20 && blocks.length === 0; i++) p.admitAnnouncement('a', t + 500)
    expect(blocks).toEqual(['a: flooded the topic with announcements'])
    expect(p.isBlocked('a')).toBe(true)
  })

  it('blocks on the third strike within a block\'s length, and forgets strikes older than that', () => {
    const { policy: p, blocks } = policy()
    const t = 1_000_000
    p.strike('a', 'bad', t)
    p.strike('a', 'bad', t + 1)
    p.sweep(t + 1 + options.blockFor)
    p.strike('a', 'bad', t + 2 + options.blockFor)
    expect(blocks).toEqual([])
    for (let i = 1; i < STRIKES_TO_BLOCK; i++) p.strike('a', 'bad', t + 2 + options.blockFor + i)
    expect(blocks).toEqual(['a: bad'])
  })

  it('holds nothing for peers gone quiet: a million one-off announcers leave a bounded map', () => {
    const { policy: p } = policy()
    let now = 1_000_000
    let most = 0
    for (let i = 0; i < 1_000_000; i++) {
      p.admitAnnouncement(`peer ${i}`, now)
      if (i % 100 === 0) now += 1_000
      if (i % 4096 === 0) most = Math.max(most, p.tracked)
    }
    // A one-off announcer's bucket is full again within a second (100 peers of this
    // stream), and a sweep comes every 1,024 announcements: about a thousand at most.
    expect(most).toBeLessThan(3_000)
    p.sweep(now + 10_000)
    expect(p.tracked).toBe(0)
  })
})
