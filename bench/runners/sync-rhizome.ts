/**
 * Rhizome side of the sync benchmark, one role per process:
 *   source   builds a database of `commits` single-quad commits on disk (SQLite), then
 *            replicates it on loopback TCP; on each "commit" line it makes one more commit.
 *   replica  a fresh replica on disk: connects to `peer`, fetches the manifest, catches
 *            up to `heads` (verification included) and reports how long that took; then
 *            reports every head it sees, for the parent's latency measurement. With
 *            `endorse: false` it checks every commit's own signature instead of letting a
 *            writer's newer commit authenticate its older ones.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { factory, openGraph } from '../../index.js'
import { Replicator } from '../../replication/index.js'
import { arg, commands, now, say } from './sync-lines.js'

const listen = ['/ip4/127.0.0.1/tcp/0']
const quadOf = (i: number): ReturnType<typeof factory.quad> =>
  factory.quad(factory.namedNode(`http://example.org/bench/item/${i}`), factory.namedNode('http://example.org/bench#value'), factory.literal(String(i)))

const role = process.argv[2]
const dir = mkdtempSync(join(tmpdir(), `rhizome-sync-${role}-`))
try {
  if (role === 'source') {
    const count = arg<number>('commits')
    const graph = await openGraph({ path: dir, create: { name: 'sync-bench' } })
    const start = now()
    // 64 writes in flight: group commit signs each as its own commit, chained, in fewer transactions
    for (let i = 0; i < count; i += 64) {
      await Promise.all(Array.from({ length: Math.min(64, count - i) }, async (_, j) => await graph.insert([quadOf(i + j)])))
    }
    const buildMs = now() - start
    const replicator = await graph.replicate({ listen })
    say({ event: 'ready', address: graph.address, multiaddrs: replicator.multiaddrs, heads: (await graph.heads()).map(String), commits: await graph.store.nodeCount(), buildMs })
    let next = count
    await commands(async () => {
      const at = now()
      const { head } = await graph.insert([quadOf(next++)])
      say({ event: 'committed', head: String(head), at })
    })
    await graph.close()
  } else if (role === 'replica') {
    const heads = new Set(arg<string[]>('heads'))
    const replicator = await Replicator.create({ listen, peers: [arg<string>('peer')], workers: arg<number | undefined>('workers', undefined), endorse: arg<boolean | undefined>('endorse', undefined) })
    const connected = now()
    const graph = await openGraph({ path: dir, address: arg<string>('address'), fetch: replicator.manifestFetcher() })
    const opened = now()
    const caughtUp = new Promise<void>(resolve => {
      const check = async (): Promise<void> => {
        const mine = (await graph.heads()).map(String)
        if (mine.length === heads.size && mine.every(h => heads.has(h))) resolve()
      }
      graph.addEventListener('change', () => { void check() })
    })
    const start = now()
    const cpuStart = process.cpuUsage()
    await replicator.follow(graph)
    await caughtUp
    const ms = now() - start
    const cpu = process.cpuUsage(cpuStart)
    const commits = await graph.store.nodeCount()
    // CPU time of the whole process (main thread and verification workers) during catch-up
    const cpuMs = (cpu.user + cpu.system) / 1000
    say({ event: 'caught-up', commits, ms, commitsPerSecond: commits / ms * 1000, manifestMs: opened - connected, quads: await graph.size(), cpuMs })
    graph.addEventListener('change', event => {
      const detail = (event as CustomEvent<{ heads: unknown[] }>).detail
      say({ event: 'seen', heads: detail.heads.map(String), at: now() })
    })
    await commands(async () => {})
    await replicator.stop()
    await graph.close()
  } else {
    throw new Error(`unknown role ${role}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
