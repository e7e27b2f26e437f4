import { describe, it, expect } from 'vitest'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
// The checkpointer's thread runs only from compiled code (its worker is a .js file beside
// its module), so this suite loads the build that `npm test` makes first.
import { openGraph, factory } from '../../dist/index.js'
import { SqliteBackend } from '../../dist/store/index.js'
import { tempDir } from './helpers.js'

async function until (condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for the condition')
    await new Promise(resolve => setImmediate(resolve))
  }
}

describe('WAL checkpoints on a thread of their own (on-disk store)', () => {
  it('checkpoints while commits go on, loses nothing, and closes cleanly', async () => {
    const dir = tempDir()
    try {
      const store = await SqliteBackend.open({ path: dir.path })
      const graph = await openGraph({ path: dir.path, backend: store })
      const backend = store as unknown as { checkpointer?: { done: number } }
      expect(backend.checkpointer).toBeDefined()
      const p = factory.namedNode('http://example.org/p')
      for (let i = 0; i < 1_200; i++) await graph.insert([factory.quad(factory.namedNode(`http://example.org/s${i}`), p, factory.literal(String(i)))])
      await until(() => backend.checkpointer!.done >= 1)
      // Checkpointed pages are in the database file itself, not only in the WAL.
      expect(statSync(join(dir.path, 'store.sqlite')).size).toBeGreaterThan(64 * 1024)
      await graph.close()
      // The writer closed last: it checkpointed the rest and removed the WAL.
      expect(existsSync(join(dir.path, 'store.sqlite-wal'))).toBe(false)
      const reopened = await openGraph({ path: dir.path })
      expect(await reopened.size()).toBe(1_200)
      expect((await reopened.log({ limit: 2_000 })).length).toBe(1_200)
      await reopened.close()
    } finally { dir.remove() }
  })

  it('closes without waiting on a thread that failed at once (its store file cannot be opened)', async () => {
    const { Checkpointer } = await import('../../dist/store/sqlite/checkpointer.js')
    const dir = tempDir()
    try {
      const checkpointer = new Checkpointer(join(dir.path, 'no-such-folder', 'store.sqlite'))
      checkpointer.committed(Number.MAX_SAFE_INTEGER)
      // Let the thread fail and exit first, then close.
      await (checkpointer as unknown as { exited: Promise<void> }).exited
      await checkpointer.close()
      expect(checkpointer.done).toBe(0)
    } finally { dir.remove() }
  })

  it('starts no thread for a store that is only read or barely written', async () => {
    const dir = tempDir()
    try {
      const store = await SqliteBackend.open({ path: dir.path })
      const graph = await openGraph({ path: dir.path, backend: store })
      await graph.insert([factory.quad(factory.namedNode('http://example.org/a'), factory.namedNode('http://example.org/p'), factory.literal('x'))])
      const backend = store as unknown as { checkpointer?: { done: number, worker?: unknown } }
      expect(backend.checkpointer?.worker).toBeUndefined()
      await graph.close()
    } finally { dir.remove() }
  })
})
