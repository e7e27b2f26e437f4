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
 * catch-up that checks every signature), --quick (1,000 commits, 10 samples, OrbitDB
 * 1,000 only: a smoke test), --results DIR. Prints a table beside OrbitDB and the
 * targets; the figures go to DIR/sync.json and the table to DIR/sync.txt (default
 * bench/results, or bench/.data/results with --quick).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { loadavg } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { machineInfo } from './machine.js'
import { duration, integer, rate, renderTable } from './table.js'

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

/** Targets of issue 4. */
const TARGETS = { commits: 10_000, commitsPerSecond: 10_000, visibleMs: 50 }

interface Latency { medianMs: number, p90Ms: number }
interface OrbitFigures { entries: number, entriesPerSecond?: number, catchupMs?: number, latency?: Latency, error?: string }

/** The console table: Rhizome beside OrbitDB, then Rhizome against its targets. */
function report (results: Record<string, any>): string {
  const r = results.rhizome as CatchupFigures & { everySignatureChecked?: CatchupFigures, latency: Latency }
  const orbit = results.orbitdb as OrbitFigures[]
  const orbitCatchup = (o: OrbitFigures | undefined): string => o === undefined ? '—' : o.error !== undefined ? 'failed' : `${rate(o.entriesPerSecond ?? NaN)} entries/s (${duration(o.catchupMs ?? NaN)})`
  const latency = (l: Latency): string => `${l.medianMs.toFixed(1)} ms (p90 ${l.p90Ms.toFixed(1)} ms)`
  const rows = [[`fresh replica catches up ${integer(r.commits)} commits`, `${rate(r.commitsPerSecond)} commits/s (${duration(r.catchupMs)}, ${r.cpuUsPerCommit} µs CPU per commit)`, orbitCatchup(orbit.find(o => o.entries === r.commits))]]
  if (r.everySignatureChecked !== undefined) rows.push(['the same, every signature checked', `${rate(r.everySignatureChecked.commitsPerSecond)} commits/s`, '—'])
  for (const o of orbit.filter(o => o.entries !== r.commits)) rows.push([`fresh replica catches up ${integer(o.entries)} entries`, '—', orbitCatchup(o)])
  const timed = orbit.filter(o => o.latency !== undefined)
  const orbitLatency = timed.map(o => (timed.length > 1 ? `${integer(o.entries)}: ` : '') + latency(o.latency!)).join('; ')
  rows.push(['one commit visible on a connected replica, median', latency(r.latency), orbitLatency === '' ? '—' : orbitLatency])
  const m = results.machine as { cpu: string, cores: number, node: string, commit: string }
  const verdict = (met: boolean): string => met ? 'met' : 'missed'
  return [
    `Sync benchmark: two processes on loopback TCP, verification included; ${integer(r.commits)} single-quad commits`,
    `${m.cpu}, ${m.cores} cores, Node ${m.node}; Rhizome ${m.commit}`,
    '',
    renderTable([{ title: 'measure', align: 'left' }, { title: 'Rhizome', align: 'left' }, { title: 'OrbitDB (same run)', align: 'left' }], rows),
    '',
    `Rhizome against its targets: catch-up ${rate(r.commitsPerSecond)} commits/s (target ≥ ${integer(TARGETS.commitsPerSecond)}: ${verdict(r.commitsPerSecond >= TARGETS.commitsPerSecond)}); ` +
      `one commit visible in ${r.latency.medianMs.toFixed(1)} ms at the median (target < ${TARGETS.visibleMs} ms: ${verdict(r.latency.medianMs < TARGETS.visibleMs)})`,
    ...(r.commits < TARGETS.commits ? [`(${integer(r.commits)} commits, not the target's ${integer(TARGETS.commits)}: start-up weighs more, so the catch-up rate is indicative only)`] : [])
  ].join('\n')
}

const SYNC_USAGE = `options:
  --quick              1,000 commits, 10 latency samples, OrbitDB at 1,000 entries: a fast check (results go to bench/.data/results/)
  --commits N          commits the writer makes before the replica catches up (default 10000)
  --samples N          single commits timed from write to visible on the replica (default 50)
  --workers N          signature-check worker threads on the replica (default: Rhizome's own choice)
  --all-signatures no  skip the run that checks every node's own signature (default: yes, run it)
  --orbitdb a,b        OrbitDB entry counts to compare with, 0 for none (default 1000,10000)
  --results DIR        where to write sync.json and sync.txt (default bench/results)
  --help`
const VALUED = new Set(['--commits', '--samples', '--workers', '--all-signatures', '--orbitdb', '--results'])
{
  const args = process.argv.slice(2)
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${SYNC_USAGE}\n`)
    process.exit(0)
  }
  for (let i = 0; i < args.length; i++) {
    if (VALUED.has(args[i]) && args[i + 1] !== undefined) i++
    else if (args[i] !== '--quick') {
      process.stderr.write(`unknown option ${args[i]}\n${SYNC_USAGE}\n`)
      process.exit(2)
    }
  }
}
const quick = process.argv.includes('--quick')
const commits = Number(flag('commits', quick ? '1000' : '10000'))
const samples = Number(flag('samples', quick ? '10' : '50'))
const workersFlag = flag('workers', '')
const workers = workersFlag === '' ? undefined : Number(workersFlag)
const allSignatures = flag('all-signatures', 'yes') !== 'no'
const orbitSizes = flag('orbitdb', quick ? '1000' : '1000,10000').split(',').map(Number).filter(n => n > 0)
const resultsDir = flag('results', join(root, 'bench', quick ? '.data/results' : 'results'))

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
const table = report(results)
console.log(`\n${table}`)
mkdirSync(resultsDir, { recursive: true })
const out = join(resultsDir, 'sync')
writeFileSync(`${out}.json`, JSON.stringify(results, null, 2) + '\n')
writeFileSync(`${out}.txt`, `${table}\n`)
console.log(`sync: results written to ${relative(process.cwd(), out)}.json and .txt`)
