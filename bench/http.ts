/**
 * The SPARQL endpoint over HTTP (issue 15; npm run bench:http, not asserted anywhere),
 * beside the servers a user would otherwise pick, in the same run, over the same LUBM
 * data, one server at a time (each its own process, so they never share the 2 cores):
 *
 * - `rhizome serve` on the on-disk default;
 * - Comunica's own SPARQL HTTP server (`comunica-sparql-http`, the file in its memory);
 *   it runs the small query and the large SELECT; the 14 queries are left to
 *   bench:query, which measures Comunica's engine on them directly (over HTTP several
 *   take minutes at LUBM(5)); it is left out above LUBM(5), where its in-memory load
 *   alone takes most of this machine's memory;
 * - OpenLink Virtuoso (Debian's `virtuoso-opensource`, bulk-loaded), when installed.
 *
 * Per server: the load time; requests per second and latency percentiles of a small
 * LUBM query (q01) under 32 concurrent keep-alive clients; for a large SELECT of every
 * triple, the time to the first bytes, rows per second and the server's memory while it
 * streams; and the 14 LUBM queries with full JSON results (median of --repeat runs),
 * their row counts checked to agree.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadTest, queryUrl, streamQuery } from './http-client.js'
import type { LoadFigures, StreamFigures } from './http-client.js'
import { startComunica, startRhizome, startVirtuoso, virtuosoInstalled } from './http-servers.js'
import type { Endpoint, ServerOptions } from './http-servers.js'
import { benchDataDir, lubmFile, repoRoot } from './lubm.js'
import { machineInfo } from './machine.js'
import { bytes, duration, integer, median, rate, renderTable } from './table.js'

const USAGE = `options:
  --scale N[,N]    LUBM scales to serve: 1, 5 or 50 (default 5; several, comma-separated)
  --clients N      concurrent keep-alive clients of the small query (default 32)
  --seconds S      how long the small-query clients run (default 10)
  --repeat N       timed runs of the 14 queries; the table shows the median (default 3)
  --only a,b       only these servers: rhizome, comunica, virtuoso
  --quick          LUBM(1), 3 seconds of load, 1 run
  --results DIR    where to write http.json and http.txt (default bench/results)
  --keep           keep the servers' folders under bench/.data/http
  --help`

const SYSTEMS = ['rhizome', 'comunica', 'virtuoso'] as const
type System = typeof SYSTEMS[number]
const QUERIES = Array.from({ length: 14 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`)
const LARGE = 'SELECT ?s ?p ?o WHERE { ?s ?p ?o }'

interface Options { scales: number[], clients: number, seconds: number, repeat: number, only: Set<System>, results: string | undefined, keep: boolean }

function parse (argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scale: { type: 'string' },
      clients: { type: 'string' },
      seconds: { type: 'string' },
      repeat: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      results: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) return 'help'
  const positive = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${value}`)
    return n
  }
  const scales = (values.scale ?? (values.quick ? '1' : '5')).split(',').map(s => positive('scale', s, 5))
  for (const s of scales) if (![1, 5, 50].includes(s)) throw new Error(`--scale must be 1, 5 or 50, not ${s}`)
  const only = new Set((values.only ?? SYSTEMS.join(',')).split(',').map(s => s.trim()) as System[])
  for (const s of only) if (!SYSTEMS.includes(s)) throw new Error(`--only takes ${SYSTEMS.join(', ')}, not ${s}`)
  return {
    scales,
    clients: positive('clients', values.clients, 32),
    seconds: positive('seconds', values.seconds, values.quick ? 3 : 10),
    repeat: positive('repeat', values.repeat, values.quick ? 1 : 3),
    only,
    results: values.results,
    keep: values.keep
  }
}

interface ServerReport {
  system: System
  loadMs: number
  small?: LoadFigures
  large?: StreamFigures
  /** Per query: the median time and the row count. */
  queries?: Record<string, { ms: number, rows: number }>
  notes: string[]
}

interface ScaleReport { scale: number, servers: ServerReport[], notes: string[] }

/** An error's message, with its cause's (fetch says only "fetch failed"). */
function describe (err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }

/** Fills in `report` figure by figure, so that a failure keeps what was measured before it. */
async function measure (endpoint: Endpoint, report: ServerReport, options: Options): Promise<void> {
  const system = report.system
  const small = readFileSync(join(benchDataDir(), 'lubm-queries-expanded', 'q01.rq'), 'utf8')
  log(`${system}: small query, ${options.clients} clients, ${options.seconds} s`)
  report.small = await loadTest(queryUrl(endpoint.url, small), options.clients, options.seconds)
  log(`${system}: large SELECT`)
  report.large = await streamQuery(endpoint.url, LARGE, endpoint.pid)
  if (system === 'comunica') return
  const times: Record<string, number[]> = {}
  const rows: Record<string, number> = {}
  for (let run = 0; run <= options.repeat; run++) {
    log(`${system}: the 14 queries, ${run === 0 ? 'warm-up' : `run ${run} of ${options.repeat}`}`)
    for (const id of QUERIES) {
      const text = readFileSync(join(benchDataDir(), 'lubm-queries-expanded', `${id}.rq`), 'utf8')
      const figures = await streamQuery(endpoint.url, text, endpoint.pid)
      if (figures.status !== 200) throw new Error(`${system} ${id}: HTTP ${figures.status}`)
      rows[id] = figures.rows
      if (run > 0) (times[id] ??= []).push(figures.totalMs)
    }
  }
  report.queries = Object.fromEntries(QUERIES.map(id => [id, { ms: median(times[id] ?? [NaN]), rows: rows[id] ?? 0 }]))
}

async function runScale (scale: number, options: Options, root: string): Promise<ScaleReport> {
  const data = lubmFile(scale)
  const base = join(root, 'bench', '.data', 'http', `lubm-${scale}`)
  rmSync(base, { recursive: true, force: true })
  const report: ScaleReport = { scale, servers: [], notes: [] }
  for (const system of SYSTEMS) {
    if (!options.only.has(system)) continue
    if (system === 'comunica' && scale > 5) {
      report.notes.push(`Comunica is left out at LUBM(${scale}): its server holds the whole file in memory`)
      continue
    }
    if (system === 'virtuoso' && !virtuosoInstalled()) {
      report.notes.push('Virtuoso is not installed (apt-get install virtuoso-opensource): left out')
      continue
    }
    const work = join(base, system)
    mkdirSync(work, { recursive: true })
    const serverOptions: ServerOptions = { data, work, root, log }
    log(`${system}: loading LUBM(${scale})`)
    let endpoint: Endpoint
    try {
      endpoint = system === 'rhizome'
        ? await startRhizome(serverOptions)
        : system === 'comunica' ? await startComunica(serverOptions, 19_300) : await startVirtuoso(serverOptions, 19_311, 19_390)
    } catch (err) {
      report.servers.push({ system, loadMs: NaN, notes: [`failed to start: ${describe(err)}`] })
      continue
    }
    const server: ServerReport = { system, loadMs: endpoint.loadMs, notes: [] }
    report.servers.push(server)
    try {
      await measure(endpoint, server, options)
    } catch (err) {
      server.notes.push(`failed: ${describe(err)}`)
    } finally {
      await endpoint.stop()
    }
  }
  if (!options.keep) rmSync(base, { recursive: true, force: true })
  const counted = report.servers.filter(s => s.queries !== undefined)
  for (const id of QUERIES) {
    const counts = new Set(counted.map(s => s.queries![id].rows))
    if (counts.size > 1) report.notes.push(`${id}: the servers disagree on the row count (${counted.map(s => `${s.system} ${s.queries![id].rows}`).join(', ')})`)
  }
  return report
}

function render (report: ScaleReport, options: Options): string {
  const s = report.servers
  const ms = (n: number | undefined): string => n === undefined || Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(1) : String(Math.round(n))
  const out: string[] = [`## LUBM(${report.scale}) over HTTP`, '']
  out.push(`small query (q01), ${options.clients} concurrent keep-alive clients, ${options.seconds} s`)
  out.push(renderTable(
    [{ title: 'server', align: 'left' }, { title: 'load' }, { title: 'requests/s' }, { title: 'p50 ms' }, { title: 'p90 ms' }, { title: 'p99 ms' }, { title: 'errors' }],
    s.map(r => [r.system, duration(r.loadMs), r.small === undefined ? '-' : rate(r.small.perSecond), ms(r.small?.p50), ms(r.small?.p90), ms(r.small?.p99), r.small === undefined ? '-' : integer(r.small.errors)])))
  out.push('', `large SELECT (${LARGE}), SPARQL JSON, read as it streams`)
  out.push(renderTable(
    [{ title: 'server', align: 'left' }, { title: 'rows' }, { title: 'first bytes' }, { title: 'all' }, { title: 'rows/s' }, { title: 'MB/s' }, { title: 'RSS before' }, { title: 'RSS peak' }],
    s.map(r => r.large === undefined
      ? [r.system, '-', '-', '-', '-', '-', '-', '-']
      : [r.system, integer(r.large.rows), duration(r.large.firstMs), duration(r.large.totalMs), rate(r.large.rows / (r.large.totalMs / 1000)), (r.large.bytes / 1e6 / (r.large.totalMs / 1000)).toFixed(0), bytes(r.large.rssBefore), bytes(r.large.rssPeak)])))
  const q = s.filter(r => r.queries !== undefined)
  if (q.length > 0) {
    out.push('', `the 14 LUBM queries (expanded), full SPARQL JSON results, median of ${options.repeat}`)
    const rows = QUERIES.map(id => [id, integer(q[0].queries![id].rows), ...q.map(r => duration(r.queries![id].ms))])
    rows.push(['total', '', ...q.map(r => duration(QUERIES.reduce((sum, id) => sum + r.queries![id].ms, 0)))])
    out.push(renderTable([{ title: 'query', align: 'left' }, { title: 'rows' }, ...q.map(r => ({ title: r.system }))], rows))
  }
  const notes = [...report.notes, ...s.flatMap(r => r.notes.map(n => `${r.system}: ${n}`))]
  if (notes.length > 0) out.push('', ...notes.map(n => `note: ${n}`))
  return out.join('\n')
}

let options: Options
try {
  const parsed = parse(process.argv.slice(2))
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  options = parsed
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`)
  process.exit(2)
}

const root = repoRoot()
const reports: ScaleReport[] = []
for (const scale of options.scales) reports.push(await runScale(scale, options, root))
const text = reports.map(r => render(r, options)).join('\n\n')
process.stdout.write(`\n${text}\n`)
const results = options.results ?? join(root, 'bench', 'results')
mkdirSync(results, { recursive: true })
writeFileSync(join(results, 'http.json'), JSON.stringify({ machine: machineInfo(root), reports }, null, 2) + '\n')
writeFileSync(join(results, 'http.txt'), `${text}\n`)
log(`http: results written to ${join(results, 'http.json')} and .txt`)
process.exitCode = reports.some(r => r.servers.some(s => s.notes.some(n => n.startsWith('failed')))) ? 1 : 0
