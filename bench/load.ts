/**
 * `npm run bench:load`: several writer processes commit for minutes while reader
 * processes query, all replicating one database over loopback libp2p (issue 10, the
 * load test). Each child is this script in another role, with its own SQLite folder.
 *
 *   writers    commit one small delta at a time, paced to --rate commits a second each
 *              (default 20), reporting how many they committed each second;
 *   readers    run a COUNT and a pattern query in a loop, timing each;
 *   the end    writers stop; every replica is asked for its heads and quad count until
 *              all agree (or --settle seconds pass: a divergence).
 *
 * Prints commits per second held (the slowest second of the run and the mean), query
 * latency percentiles (p50, p90, p99, max), each process's peak RSS, and whether the
 * replicas diverged; exit 1 on a divergence. Flags: --writers N (3), --readers N (2),
 * --seconds N (120), --rate N (20), --settle N (60), --quick (2 writers, 1 reader,
 * 10 s), --help. Figures go to bench/results/load.json (bench/.data/results with --quick).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { factory, keyPairFromSeed, openGraph, writerId, type Graph } from '../index.js'
import { bytes, duration, integer, renderTable } from './table.js'
import { numericFlags } from './options.js'

const fromSources = import.meta.url.endsWith('.ts')
const root = fileURLToPath(new URL(fromSources ? '..' : '../..', import.meta.url))

export const usage = `options:
  --writers N     writer processes (default 3)
  --readers N     reader processes (default 2)
  --seconds N     how long the writers commit (default 120)
  --rate N        commits a second each writer aims for (default 20)
  --settle N      seconds allowed for every replica to agree at the end (default 60)
  --quick         2 writers, 1 reader, 10 s: a smoke test
  --help`

const seedOf = (i: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, k) => (i * 31 + k * 7 + 1) & 0xff)
const ex = (s: string): ReturnType<typeof factory.namedNode> => factory.namedNode(`http://example.org/${s}`)

// ---------------------------------------------------------------------------------------
// A child: one replica, a writer or a reader, driven by lines on stdin, reporting JSON lines on stdout.

interface ChildArgs { role: 'writer' | 'reader', index: number, folder: string, peers: string[], rate: number }

async function child (args: ChildArgs): Promise<void> {
  const say = (event: string, detail: object = {}): void => { process.stdout.write(JSON.stringify({ event, ...detail }) + '\n') }
  const graph = await openGraph({ path: args.folder, identity: keyPairFromSeed(seedOf(args.index)) })
  const replicator = await graph.replicate({ listen: ['/ip4/127.0.0.1/tcp/0'], peers: args.peers, announceInterval: 2_000 })
  let peakRss = process.memoryUsage().rss
  const rssTimer = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss) }, 200)
  say('ready', { multiaddrs: replicator.multiaddrs })
  let running = true
  const latencies: number[] = []
  const perSecond: number[] = []
  const work = (async () => {
    let n = 0
    let second = Math.floor(Date.now() / 1000)
    let inSecond = 0
    // eslint-disable-next-line no-unmodified-loop-condition -- 'stop' on stdin ends it
    while (running) {
      const started = performance.now()
      if (args.role === 'writer') {
        await graph.insert([factory.quad(ex(`w${args.index}`), ex('n'), factory.literal(String(n++)))])
        inSecond++
        const now = Math.floor(Date.now() / 1000)
        if (now !== second) { perSecond.push(inSecond); inSecond = 0; second = now }
        const wait = 1000 / args.rate - (performance.now() - started)
        if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      } else {
        const query = n++ % 2 === 0 ? 'SELECT (COUNT(*) AS ?c) { ?s ?p ?o }' : 'SELECT ?o { <http://example.org/w0> ?p ?o } ORDER BY DESC(?o) LIMIT 10'
        const result = await graph.query(query)
        for await (const _ of result as AsyncIterable<unknown>) { /* drain */ }
        latencies.push(performance.now() - started)
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
  })()
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'stop') {
      running = false
      await work
      say('stopped', { perSecond, latencies })
    } else if (line === 'state') {
      say('state', { heads: (await graph.heads()).map(h => h.toString()).sort(), size: await graph.size(), peakRss })
    }
  }
  clearInterval(rssTimer)
  await graph.close()
}

// ---------------------------------------------------------------------------------------
// The parent: builds the database, starts the children, reports.

interface Child { next: (event: string, timeoutMs?: number) => Promise<Record<string, any>>, send: (line: string) => void, stop: () => Promise<void> }

function start (args: ChildArgs): Child {
  const script = fileURLToPath(import.meta.url)
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(fromSources ? ['--import', 'tsx'] : []), script, '--child', JSON.stringify(args)], { cwd: root, stdio: 'pipe' })
  const events: Array<Record<string, any>> = []
  let wake: (() => void) | undefined
  let stderr = ''
  proc.stderr.on('data', d => { stderr = (stderr + String(d)).slice(-4000) })
  createInterface({ input: proc.stdout }).on('line', line => {
    try { events.push(JSON.parse(line)) } catch { process.stderr.write(`[${args.role} ${args.index}] ${line}\n`) }
    wake?.()
  })
  const exited = new Promise<void>(resolve => proc.on('exit', () => { wake?.(); resolve() }))
  return {
    async next (event, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const i = events.findIndex(e => e.event === event)
        if (i >= 0) return events.splice(i, 1)[0]
        if (proc.exitCode !== null) throw new Error(`${args.role} ${args.index} exited (${proc.exitCode}): ${stderr}`)
        if (Date.now() > deadline) throw new Error(`${args.role} ${args.index}: no '${event}' within ${timeoutMs} ms: ${stderr}`)
        await new Promise<void>(resolve => { wake = resolve; setTimeout(resolve, 500).unref() })
      }
    },
    send (line) { proc.stdin.write(line + '\n') },
    async stop () {
      proc.stdin.end()
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000)
      await exited
      clearTimeout(timer)
    }
  }
}

const percentile = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

async function parent (options: { writers: number, readers: number, seconds: number, rate: number, settle: number, results: string }): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'rhizome-load-'))
  const children: Child[] = []
  try {
    const keys = Array.from({ length: options.writers }, (_, i) => keyPairFromSeed(seedOf(i)))
    const base = join(work, 'base')
    const first: Graph = await openGraph({ path: base, identity: keys[0], create: { name: 'load', writers: keys.slice(1).map(k => writerId(k.publicKey)) } })
    await first.close()
    const roles: Array<'writer' | 'reader'> = [...Array<'writer'>(options.writers).fill('writer'), ...Array<'reader'>(options.readers).fill('reader')]
    const addresses: string[] = []
    for (const [index, role] of roles.entries()) {
      const folder = join(work, `replica-${index}`)
      cpSync(base, folder, { recursive: true })
      const c = start({ role, index, folder, peers: [...addresses], rate: options.rate })
      children.push(c)
      addresses.push((await c.next('ready')).multiaddrs[0])
    }
    console.log(`load: ${options.writers} writers at ${options.rate} commits/s each, ${options.readers} readers, ${options.seconds} s`)
    await new Promise(resolve => setTimeout(resolve, options.seconds * 1000))
    for (const c of children) c.send('stop')
    const stopped = await Promise.all(children.map(async c => await c.next('stopped')))
    const writerSeconds = stopped.slice(0, options.writers).map(s => s.perSecond as number[])
    // the run's seconds, summed over writers (the first and last, partial, left out)
    const span = Math.min(...writerSeconds.map(s => s.length))
    const totals = Array.from({ length: Math.max(0, span - 2) }, (_, k) => writerSeconds.reduce((sum, s) => sum + s[k + 1], 0))
    const latencies = stopped.slice(options.writers).flatMap(s => s.latencies as number[]).sort((a, b) => a - b)
    // settle: every replica's heads and size agree
    const settleStart = Date.now()
    let states: Array<Record<string, any>> = []
    let agreed = false
    while (Date.now() - settleStart < options.settle * 1000) {
      for (const c of children) c.send('state')
      states = await Promise.all(children.map(async c => await c.next('state')))
      agreed = states.every(s => s.heads.join() === states[0].heads.join() && s.size === states[0].size)
      if (agreed) break
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    const figures = {
      writers: options.writers,
      readers: options.readers,
      seconds: options.seconds,
      targetCommitsPerSecond: options.writers * options.rate,
      commitsPerSecondMean: totals.length === 0 ? NaN : Math.round(totals.reduce((a, b) => a + b, 0) / totals.length),
      commitsPerSecondLowest: totals.length === 0 ? NaN : Math.min(...totals),
      queries: latencies.length,
      queryMs: { p50: percentile(latencies, 0.5), p90: percentile(latencies, 0.9), p99: percentile(latencies, 0.99), max: latencies[latencies.length - 1] },
      peakRssBytes: states.map(s => s.peakRss as number),
      quads: states[0]?.size,
      settleMs: Date.now() - settleStart,
      diverged: !agreed
    }
    console.log(renderTable([{ title: 'figure', align: 'left' }, { title: 'value' }], [
      ['commits/s target (all writers)', integer(figures.targetCommitsPerSecond)],
      ['commits/s held: mean', integer(figures.commitsPerSecondMean)],
      ['commits/s held: slowest second', integer(figures.commitsPerSecondLowest)],
      ['queries run', integer(figures.queries)],
      ['query latency p50', duration(figures.queryMs.p50)],
      ['query latency p90', duration(figures.queryMs.p90)],
      ['query latency p99', duration(figures.queryMs.p99)],
      ['query latency max', duration(figures.queryMs.max)],
      ['peak RSS, highest process', bytes(Math.max(...figures.peakRssBytes))],
      ['quads at the end', integer(figures.quads ?? 0)],
      ['time for all replicas to agree', duration(figures.settleMs)],
      ['diverged', figures.diverged ? 'YES' : 'no']
    ]))
    mkdirSync(options.results, { recursive: true })
    writeFileSync(join(options.results, 'load.json'), JSON.stringify(figures, null, 2) + '\n')
    process.stdout.write(JSON.stringify({ event: 'load', ...figures }) + '\n')
    return figures.diverged ? 1 : 0
  } finally {
    await Promise.all(children.map(async c => await c.stop()))
    rmSync(work, { recursive: true, force: true })
  }
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') {
  await child(JSON.parse(argv[1]) as ChildArgs)
} else {
  const flags = numericFlags(argv, ['writers', 'readers', 'seconds', 'rate', 'settle'], usage)
  const quick = flags.quick
  process.exitCode = await parent({
    writers: flags.number('writers', quick ? 2 : 3),
    readers: flags.number('readers', quick ? 1 : 2),
    seconds: flags.number('seconds', quick ? 10 : 120),
    rate: flags.number('rate', 20),
    settle: flags.number('settle', 60),
    results: flags.results ?? join(root, quick ? 'bench/.data/results' : 'bench/results')
  })
}
