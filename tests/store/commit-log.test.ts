/**
 * The commit log (store/sqlite/commit-log.ts): small writes are durable in it before their
 * group's SQLite transaction commits, and reopening applies it. A kill is simulated
 * by copying the database folder while the graph is open and idle: the copy holds
 * exactly what a process killed at that moment leaves on disk (the WAL index, -shm,
 * is left behind, as SQLite rebuilds it from the WAL).
 */
import { describe, it, expect } from 'vitest'
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { openGraph, type Graph } from '../../index.js'
import { CommitLog, COMMIT_LOG_FILE, SqliteBackend } from '../../store/index.js'
import { dump, headStrings, quad, tempDir } from './helpers.js'

const logFile = (dir: string): string => join(dir, COMMIT_LOG_FILE)

/** The folder as a process killed now would leave it. */
function killedCopy (from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: src => !/-shm$|^lock\.sqlite/.test(basename(src)) })
}

/** Each record's byte range in a log file (length and checksum first, then the body). */
function records (bytes: Buffer): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (let at = 0; at < bytes.length;) {
    const end = at + 8 + bytes.readUInt32LE(at)
    ranges.push([at, end])
    at = end
  }
  return ranges
}

/** Runs `fn` with `count` fresh folders, removed after. */
async function withFolders (count: number, fn: (...paths: string[]) => Promise<void>): Promise<void> {
  const dirs = Array.from({ length: count }, () => tempDir())
  try {
    await fn(...dirs.map(d => d.path))
  } finally {
    for (const d of dirs) d.remove()
  }
}

async function singles (graph: Graph, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await graph.insert([quad(`s${i}`, 'p', `o${i}`)])
}

async function reopened (dir: string, check: (graph: Graph) => Promise<void>): Promise<void> {
  const graph = await openGraph({ path: dir, create: false })
  try {
    // What the log held is in SQLite now, and the log is empty.
    expect(statSync(logFile(dir)).size).toBe(0)
    await check(graph)
  } finally {
    await graph.close()
  }
}

describe('CommitLog', () => {
  it('reads back what it appended, and stops at a record cut short at any byte', async () => {
    await withFolders(1, async dir => {
      const log = CommitLog.open(logFile(dir))
      const block = (n: number, size: number): Uint8Array => new Uint8Array(size).fill(n)
      const written = [
        [[block(1, 10)]],
        [[block(2, 300), block(3, 0), block(4, 5)], [block(5, 1)]],
        [[block(6, 70_000)]]
      ]
      for (const record of written) log.append(record)
      expect(log.read()).toEqual(written)
      const whole = readFileSync(logFile(dir))
      const ends = records(whole).map(([, end]) => end)
      for (let cut = 0; cut < whole.length; cut += cut < 400 ? 1 : 997) {
        writeFileSync(logFile(dir), whole.subarray(0, cut))
        const cutLog = CommitLog.open(logFile(dir))
        expect(cutLog.read()).toEqual(written.slice(0, ends.filter(end => end <= cut).length))
        cutLog.close()
      }
      log.reset()
      expect(log.bytes).toBe(0)
      expect(log.read()).toEqual([])
      log.close()
    })
  })

  it('stops at a record whose checksum does not match its body', async () => {
    await withFolders(1, async dir => {
      const log = CommitLog.open(logFile(dir))
      log.append([[new Uint8Array([1, 2, 3])]])
      log.append([[new Uint8Array([4, 5, 6])]])
      log.append([[new Uint8Array([7, 8, 9])]])
      log.close()
      const bytes = readFileSync(logFile(dir))
      const [, second] = records(bytes)
      bytes[second[1] - 1] ^= 0xff
      writeFileSync(logFile(dir), bytes)
      const damaged = CommitLog.open(logFile(dir))
      expect(damaged.read()).toEqual([[[new Uint8Array([1, 2, 3])]]])
      damaged.close()
    })
  })
})

describe('small writes through the commit log (on-disk store)', () => {
  it('keeps every write reported done across a kill before its group reached SQLite', async () => {
    await withFolders(2, async (dir, copy) => {
      const graph = await openGraph({ path: dir })
      await singles(graph, 0, 20)
      expect(statSync(logFile(dir)).size).toBeGreaterThan(0)
      const heads = await headStrings(graph)
      killedCopy(dir, copy)
      const expected = await dump(graph)
      await graph.close()
      await reopened(copy, async again => {
        expect(await dump(again)).toEqual(expected)
        expect(await headStrings(again)).toEqual(heads)
        expect(await again.log({ limit: 100 })).toHaveLength(20)
        await singles(again, 20, 1)
        expect(await again.size()).toBe(21)
      })
    })
  })

  it('commits a group to SQLite on its own soon after its first write, with no read to ask for it', async () => {
    await withFolders(1, async dir => {
      const graph = await openGraph({ path: dir })
      await singles(graph, 0, 3)
      expect(statSync(logFile(dir)).size).toBeGreaterThan(0)
      const start = Date.now()
      while (statSync(logFile(dir)).size > 0) {
        if (Date.now() - start > 10_000) throw new Error('the group was not committed within 10 s')
        await new Promise(resolve => setImmediate(resolve))
      }
      await graph.close()
    })
  })

  it('applies nothing twice when killed between a group commit and the log being emptied', async () => {
    await withFolders(2, async (dir, copy) => {
      const graph = await openGraph({ path: dir })
      await singles(graph, 0, 10)
      const pending = readFileSync(logFile(dir))
      expect(pending.length).toBeGreaterThan(0)
      // A reader's snapshot commits the group first, and the log is emptied.
      expect(await graph.size()).toBe(10)
      expect(statSync(logFile(dir)).size).toBe(0)
      killedCopy(dir, copy)
      writeFileSync(logFile(copy), pending)
      const heads = await headStrings(graph)
      await graph.close()
      await reopened(copy, async again => {
        expect(await again.size()).toBe(10)
        expect(await headStrings(again)).toEqual(heads)
        expect(await again.log({ limit: 100 })).toHaveLength(10)
      })
    })
  })

  it('drops a last record cut short or damaged: that write was never reported done', async () => {
    await withFolders(1, async dir => {
      const graph = await openGraph({ path: dir })
      await singles(graph, 0, 4)
      const fourth = (await graph.log({ limit: 1 }))[0].cid.toString()
      await singles(graph, 4, 1)
      const bytes = readFileSync(logFile(dir))
      const last = records(bytes).at(-1)!
      for (const [name, damage] of [
        ['cut', (b: Buffer) => b.subarray(0, last[1] - 3)],
        ['flipped', (b: Buffer) => { const c = Buffer.from(b); c[last[0] + 20] ^= 1; return c }]
      ] as const) {
        await withFolders(1, async copy => {
          killedCopy(dir, copy)
          writeFileSync(logFile(copy), damage(bytes))
          await reopened(copy, async again => {
            expect(await again.size(), name).toBe(4)
            expect(await headStrings(again), name).toEqual([fourth])
          })
        })
      }
      await graph.close()
    })
  })

  it('stops at a record whose parents are missing (the records before it lost)', async () => {
    await withFolders(2, async (dir, copy) => {
      const graph = await openGraph({ path: dir })
      await singles(graph, 0, 3)
      killedCopy(dir, copy)
      await graph.close()
      const bytes = readFileSync(logFile(copy))
      const [first] = records(bytes)
      writeFileSync(logFile(copy), bytes.subarray(first[1]))
      await reopened(copy, async again => {
        expect(await again.size()).toBe(0)
        expect(await again.heads()).toEqual([])
        await singles(again, 0, 2)
        expect(await again.log({ limit: 10 })).toHaveLength(2)
      })
    })
  })

  it('refuses calls once SQLite dropped the open group by itself, and reopening loses no write reported done', async () => {
    await withFolders(1, async dir => {
      const store = await SqliteBackend.open({ path: dir })
      const graph = await openGraph({ path: dir, backend: store })
      await singles(graph, 0, 3)
      const backend = store as unknown as { db: { exec: (sql: string) => void }, commitLog: { append: (commits: unknown) => void } }
      const append = backend.commitLog.append
      // As SQLite does on some I/O errors: the whole transaction is rolled back, not just the statement.
      backend.commitLog.append = () => { backend.db.exec('ROLLBACK'); throw new Error('disk I/O error') }
      await expect(graph.insert([quad('lost', 'p', 'o')])).rejects.toMatchObject({ code: 'ERR_STORE_WRITE' })
      backend.commitLog.append = append
      await expect(graph.size()).rejects.toMatchObject({ code: 'ERR_STORE_WRITE' })
      await graph.close()
      await reopened(dir, async again => {
        expect(await again.size()).toBe(3)
        expect(await again.log({ limit: 10 })).toHaveLength(3)
      })
    })
  })

  it('a write that fails leaves the group as it was, and the writes after it go on', async () => {
    await withFolders(1, async dir => {
      const store = await SqliteBackend.open({ path: dir })
      const graph = await openGraph({ path: dir, backend: store })
      await singles(graph, 0, 3)
      const heads = await headStrings(graph)
      const log = (store as unknown as { commitLog: { append: (commits: unknown) => void } }).commitLog
      const append = log.append
      log.append = () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) }
      await expect(graph.insert([quad('failed', 'p', 'o')])).rejects.toThrow(/no space/)
      log.append = append
      expect(await headStrings(graph)).toEqual(heads)
      await singles(graph, 3, 2)
      expect(await graph.size()).toBe(5)
      expect(await graph.log({ limit: 10 })).toHaveLength(5)
      await graph.close()
      await reopened(dir, async again => {
        expect((await dump(again)).some(line => line.includes('failed'))).toBe(false)
        expect(await again.size()).toBe(5)
      })
    })
  })
})
