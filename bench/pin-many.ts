/**
 * A pinning peer that carries many databases (issue 14; npm run bench:pin, not asserted
 * anywhere): `rhizome pin` as its own process following N small databases (default
 * 100), beside the same pinner following one. Reports, once every database is followed
 * and the pinner is idle: its RSS, and the RSS each extra database adds; its CPU time
 * per second over an idle window; the announcements per second per database it sends
 * (counted by an observer subscribed to every database's topic); then whether it
 * serves them all: a fresh replica in this process clones every database from it
 * (manifest, then catch-up), timed.
 *
 *   node build/bench/pin-many.js [--databases N] [--idle S]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { factory, openGraph, type Graph } from '../index.js'
import { Replicator, topicOf } from '../replication/index.js'
import { treeRss } from './http-servers.js'
import { repoRoot } from './lubm.js'
import { bytes, duration, integer, renderTable } from './table.js'

const USAGE = `options:
  --databases N   databases the pinner follows (default 100)
  --idle S        the idle window in which CPU and announcements are counted (default 60)
  --help`

function options (): { databases: number, idle: number } {
  let values
  try {
    values = parseArgs({ args: process.argv.slice(2), strict: true, options: { databases: { type: 'string' }, idle: { type: 'string' }, help: { type: 'boolean' } } }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    process.exit(2)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const positive = (name: string, value: string | undefined, fallback: number): number => {
    const n = value === undefined ? fallback : Number(value)
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`--${name} must be a positive integer\n${USAGE}\n`)
      process.exit(2)
    }
    return n
  }
  return { databases: positive('databases', values.databases, 100), idle: positive('idle', values.idle, 60) }
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }

/** CPU time (user + system) of a process, ms, from /proc. */
function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Makes `n` databases of a few quads each under `dir`, each in the folder `dir/ADDRESS` that pin expects. */
async function makeDatabases (dir: string, n: number): Promise<string[]> {
  const addresses: string[] = []
  for (let i = 0; i < n; i++) {
    const scratch = join(dir, `new-${i}`)
    const graph = await openGraph({ path: scratch, create: { name: `db ${i}` } })
    const s = factory.namedNode(`http://example.org/db${i}`)
    for (let j = 0; j < 3; j++) await graph.insert([factory.quad(s, factory.namedNode(`http://example.org/p${j}`), factory.literal(String(j)))])
    addresses.push(graph.address)
    await graph.close()
    renameSync(scratch, join(dir, graph.address))
  }
  return addresses
}

async function startPin (root: string, dir: string, addresses: string[]): Promise<{ child: ChildProcess, address: string }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), '--db', dir, 'pin', ...addresses, '--listen', '/ip4/127.0.0.1/tcp/0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', code => reject(new Error(`rhizome pin exited ${String(code)}: ${stderr}`)))
  })
  return { child, address }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** The pinner's RSS once it has settled: the least of a few samples a second apart (garbage collected in between, mostly). */
async function settledRss (pid: number): Promise<number> {
  let least = Infinity
  for (let i = 0; i < 5; i++) {
    await new Promise(resolve => setTimeout(resolve, 1000))
    least = Math.min(least, treeRss(pid))
  }
  return least
}

const { databases, idle } = options()
const root = repoRoot()
const work = mkdtempSync(join(tmpdir(), 'rhizome-bench-pin-'))
const children: ChildProcess[] = []
try {
  log(`making ${databases} databases`)
  const many = join(work, 'many')
  mkdirSync(many)
  const addresses = await makeDatabases(many, databases)
  const one = join(work, 'one')
  mkdirSync(one)
  const [single] = await makeDatabases(one, 1)

  log('rhizome pin with 1 database')
  const alone = await startPin(root, one, [single])
  children.push(alone.child)
  const rssOne = await settledRss(alone.child.pid!)
  await stop(alone.child)

  log(`rhizome pin with ${databases} databases`)
  const pinStart = performance.now()
  const pinner = await startPin(root, many, addresses)
  children.push(pinner.child)
  const startMs = performance.now() - pinStart
  const rssMany = await settledRss(pinner.child.pid!)

  // The observer: subscribed to every database's topic, counting what the pinner announces.
  const observer = await Replicator.create({ listen: ['/ip4/127.0.0.1/tcp/0'], peers: [pinner.address] })
  const pubsub = observer.ipfs.libp2p.services.pubsub
  const topics = new Set(addresses.map(topicOf))
  let announcements = 0
  pubsub.addEventListener('message', event => { if (topics.has(event.detail.topic)) announcements++ })
  for (const topic of topics) pubsub.subscribe(topic)
  // The mesh forms within a heartbeat or two; counting starts after it.
  await new Promise(resolve => setTimeout(resolve, 5000))
  log(`idle window: ${idle} s`)
  announcements = 0
  const cpuBefore = cpuMs(pinner.child.pid!)
  const windowStart = performance.now()
  await new Promise(resolve => setTimeout(resolve, idle * 1000))
  const windowMs = performance.now() - windowStart
  const cpuIdle = cpuMs(pinner.child.pid!) - cpuBefore
  const seen = announcements
  await observer.stop()

  // Does it serve them all? A fresh replica clones every database from it.
  log(`cloning all ${databases} from the pinner`)
  const client = await Replicator.create({ listen: ['/ip4/127.0.0.1/tcp/0'], peers: [pinner.address] })
  const clones: Graph[] = []
  let cloned = 0
  const cloneStart = performance.now()
  try {
    for (const address of addresses) {
      const graph = await openGraph({ path: join(work, 'clones', address), address, fetch: client.manifestFetcher() })
      clones.push(graph)
      await client.follow(graph)
      await client.sync({ address, signal: AbortSignal.timeout(30_000) })
      if (await graph.size() === 3) cloned++
    }
  } finally {
    await client.stop()
    await Promise.all(clones.map(async g => await g.close()))
  }
  const cloneMs = performance.now() - cloneStart
  await stop(pinner.child)

  const perDb = (rssMany - rssOne) / Math.max(1, databases - 1)
  const table = renderTable(
    [{ title: `rhizome pin, ${databases} databases`, align: 'left' }, { title: 'figure' }],
    [
      ['start, until its address is printed', duration(startMs)],
      ['RSS, 1 database', bytes(rssOne)],
      [`RSS, ${databases} databases`, bytes(rssMany)],
      ['RSS each further database adds', bytes(perDb)],
      [`CPU while idle (${Math.round(windowMs / 1000)} s)`, `${(cpuIdle / windowMs * 1000).toFixed(1)} ms/s`],
      ['CPU while idle, per database', `${(cpuIdle / windowMs * 1000 / databases).toFixed(3)} ms/s`],
      ['announcements per second, all databases', (seen / (windowMs / 1000)).toFixed(2)],
      ['announcements per second, per database', (seen / (windowMs / 1000) / databases).toFixed(4)],
      ['databases a fresh replica cloned from it', `${integer(cloned)} of ${integer(databases)}`],
      ['time to clone them all, one after another', duration(cloneMs)]
    ])
  process.stdout.write(`\n${table}\n`)
  process.exitCode = cloned === databases ? 0 : 1
} finally {
  for (const child of children) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
}
