/**
 * `npm run bench:sync`: replication between two processes over loopback TCP.
 *
 *   catch-up   a fresh Rhizome replica (SQLite, verification included) catches up a
 *              database of N single-quad commits (default 10,000) from a serving peer:
 *              commits per second, from following the database to holding its heads.
 *              Twice, each with a fresh replica of the same source, one after the
 *              other: as replicas run by default (a writer's newer commit authenticates its older ones: one
 *              signature check per writer per batch), then checking every commit's
 *              own signature (`endorse: false`).
 *   latency    with the two connected, one commit at a time, each 50 ms after the last was
 *              seen (isolated commits: announcements of a busy writer are spaced 25 ms
 *              apart): from the writer's insert call to the replica's 'change' event;
 *              median and 90th percentile.
 *   OrbitDB    the same catch-up with @orbitdb/core (events database) for 1,000 and
 *              10,000 entries, and the same latency (20 samples), in the same run.
 *
 * Flags: --commits N, --samples N (latency), --orbitdb N,N (sizes; 0 to skip),
 * --workers N (verification threads in the replica), --all-signatures no (skip the
 * catch-up that checks every signature). Results go to
 * bench/results/sync.json beside the console table.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { machineInfo } from './machine.js'

const fromSources = import.meta.url.endsWith('.ts')
const root = fileURLToPath(new URL(fromSources ? '..' : '../..', import.meta.url))

function flag (name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback
}

interface Child {
  next: (event: string, until?: (e: Record<string, any>) => boolean, timeoutMs?: number) => Promise<Record<string, any>>
  send: (line: string) => void
  stop: () => Promise<void>
}

function start (runner: string, role: string, args: object): Child {
  const script = fileURLToPath(new URL(`./runners/${runner}${fromSources ? '.ts' : '.js'}`, import.meta.url))
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(fromSources ? ['--import', 'tsx'] : []), script, role, JSON.stringify(args)], { cwd: root, stdio: 'pipe' })
  const events: Array<Record<string, any>> = []
  let wake: (() => void) | undefined
  let stderr = ''
  child.stderr.on('data', d => { stderr = (stderr + String(d)).slice(-4000) })
  createInterface({ input: child.stdout }).on('line', line => {
    try { events.push(JSON.parse(line)) } catch { process.stderr.write(`[${runner} ${role}] ${line}\n`) }
    wake?.()
  })
  const exited = new Promise<void>(resolve => child.on('exit', () => { wake?.(); resolve() }))
  return {
    async next (event, until = () => true, timeoutMs = 300_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const i = events.findIndex(e => e.event === event && until(e))
        if (i >= 0) return events.splice(i, 1)[0]
        if (child.exitCode !== null) throw new Error(`${runner} ${role} exited (${child.exitCode}): ${stderr}`)
        if (Date.now() > deadline) throw new Error(`${runner} ${role}: no '${event}' within ${timeoutMs} ms: ${stderr}`)
        await new Promise<void>(resolve => { wake = resolve; setTimeout(resolve, 1_000).unref() })
      }
    },
    send (line) { child.stdin.write(line + '\n') },
    async stop () {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    }
  }
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits

/** Isolated single commits (each 50 ms after the last was seen): from the insert call to the replica seeing it. */
async function visibility (system: string, source: Child, replica: Child, samples: number): Promise<Record<string, number>> {
  const latencies: number[] = []
  for (let i = 0; i < samples; i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
    source.send('commit')
    const committed = await source.next('committed')
    const seen = await replica.next('seen', e => (e.heads as string[]).includes(committed.head), 30_000)
    latencies.push(seen.at - committed.at)
  }
  latencies.sort((a, b) => a - b)
  const median = percentile(latencies, 0.5)
  console.log(`${system}: single-commit visibility over ${samples} commits: median ${round(median, 2)} ms, p90 ${round(percentile(latencies, 0.9), 2)} ms`)
  return { samples, medianMs: round(median, 2), p90Ms: round(percentile(latencies, 0.9), 2), minMs: round(latencies[0], 2), maxMs: round(latencies[latencies.length - 1], 2) }
}

interface CatchupFigures { commits: number, catchupMs: number, commitsPerSecond: number, replicaCpuMs: number, cpuUsPerCommit: number, commitsPerCpuSecond: number, manifestMs: number }

/** A fresh replica of `ready`'s database catches up; the replica is left running for the caller. */
async function catchUp (ready: Record<string, any>, options: { workers?: number, endorse: boolean }): Promise<{ replica: Child, figures: CatchupFigures }> {
  const replica = start('sync-rhizome', 'replica', { address: ready.address, peer: ready.multiaddrs[0], heads: ready.heads, workers: options.workers, endorse: options.endorse })
  try {
    const caught = await replica.next('caught-up')
    const how = options.endorse ? 'signatures endorsed' : 'every signature checked'
    console.log(`rhizome: catch-up of ${caught.commits} commits (${how}) in ${round(caught.ms / 1000, 2)} s = ${Math.round(caught.commitsPerSecond)} commits/s (replica CPU ${round(caught.cpuMs / 1000, 2)} s, ${Math.round(caught.cpuMs * 1000 / caught.commits)} µs per commit)`)
    return {
      replica,
      figures: {
        commits: caught.commits,
        catchupMs: round(caught.ms),
        commitsPerSecond: Math.round(caught.commitsPerSecond),
        replicaCpuMs: round(caught.cpuMs),
        cpuUsPerCommit: Math.round(caught.cpuMs * 1000 / caught.commits),
        commitsPerCpuSecond: Math.round(caught.commits / caught.cpuMs * 1000),
        manifestMs: round(caught.manifestMs)
      }
    }
  } catch (err) {
    await replica.stop()
    throw err
  }
}

async function rhizome (commits: number, samples: number, workers: number | undefined, allSignatures: boolean): Promise<Record<string, unknown>> {
  const source = start('sync-rhizome', 'source', { commits })
  try {
    const ready = await source.next('ready')
    console.log(`rhizome: source built ${ready.commits} commits in ${round(ready.buildMs / 1000, 2)} s`)
    const { replica, figures } = await catchUp(ready, { workers, endorse: true })
    try {
      const result: Record<string, unknown> = { ...figures, buildMs: round(ready.buildMs) }
      if (allSignatures) {
        // the same commits again, into a second fresh replica (the first one idles meanwhile)
        const every = await catchUp(ready, { workers, endorse: false })
        await every.replica.stop()
        result.everySignatureChecked = every.figures
      }
      result.latency = await visibility('rhizome', source, replica, samples)
      return result
    } finally {
      await replica.stop()
    }
  } finally {
    await source.stop()
  }
}

async function orbitdb (entries: number, samples: number): Promise<Record<string, unknown>> {
  const source = start('sync-orbitdb', 'source', { entries })
  try {
    const ready = await source.next('ready', undefined, 900_000)
    console.log(`orbitdb: source built ${entries} entries in ${round(ready.buildMs / 1000, 2)} s`)
    const replica = start('sync-orbitdb', 'replica', { entries, address: ready.address, peer: ready.multiaddrs[0] })
    try {
      const caught = await replica.next('caught-up', undefined, 900_000)
      console.log(`orbitdb: catch-up of ${entries} entries in ${round(caught.ms / 1000, 2)} s = ${Math.round(caught.entriesPerSecond)} entries/s`)
      const latency = await visibility('orbitdb', source, replica, samples)
      return { entries, catchupMs: round(caught.ms), entriesPerSecond: Math.round(caught.entriesPerSecond), latency }
    } finally {
      await replica.stop()
    }
  } finally {
    await source.stop()
  }
}

const commits = Number(flag('commits', '10000'))
const samples = Number(flag('samples', '50'))
const workersFlag = flag('workers', '')
const workers = workersFlag === '' ? undefined : Number(workersFlag)
const allSignatures = flag('all-signatures', 'yes') !== 'no'
const orbitSizes = flag('orbitdb', '1000,10000').split(',').map(Number).filter(n => n > 0)

const results: Record<string, unknown> = { machine: machineInfo(root), date: new Date().toISOString(), loadAverageAtStart: loadavg().map(x => round(x, 2)) }
results.rhizome = await rhizome(commits, samples, workers, allSignatures)
const orbit: unknown[] = []
for (const n of orbitSizes) {
  try {
    orbit.push(await orbitdb(n, Math.min(samples, 20)))
  } catch (err) {
    console.log(`orbitdb ${n}: failed: ${(err as Error).message.slice(0, 300)}`)
    orbit.push({ entries: n, error: (err as Error).message.slice(0, 300) })
  }
}
results.orbitdb = orbit
results.loadAverageAtEnd = loadavg().map(x => round(x, 2))
mkdirSync(new URL('./results/', fromSources ? import.meta.url : new URL('../../bench/', import.meta.url)), { recursive: true })
const out = fileURLToPath(new URL('bench/results/sync.json', `file://${root}/`))
writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
console.log(`results: ${out}`)
