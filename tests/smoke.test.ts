import { describe, it, expect } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openGraph, factory } from '../index.js'

describe('smoke', () => {
  it('persists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rz-'))
    try {
      const g = await openGraph({ path: dir })
      const q = factory.quad(factory.namedNode('http://a'), factory.namedNode('http://p'), factory.literal('01', factory.namedNode('http://www.w3.org/2001/XMLSchema#integer')))
      const r = await g.insert([q])
      expect(r.added).toBe(1)
      const imp = await g.import('<http://x> <http://p> _:b0 .\n_:b0 <http://p> "v"@en .\n', { format: 'nt' })
      expect(imp.quads).toBe(2)
      const all = []
      for await (const x of g.match()) all.push(x)
      expect(all).toHaveLength(3)
      await g.delete([q])
      expect(await g.size()).toBe(2)
      const addr = g.address
      await g.close()
      const h = await openGraph({ path: dir })
      expect(h.address).toBe(addr)
      expect(await h.size()).toBe(2)
      expect((await h.log()).length).toBe(3)
      await h.close()
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
})
