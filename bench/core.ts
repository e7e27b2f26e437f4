/**
 * Core benchmark (issue 2, "Performance"): Rhizome's embedded store against its
 * peers on LUBM, every system in its own child process (runners/), the figures
 * side by side.
 *
 * - Bulk load, quads/s: the whole gunzipped N-Triples file into a fresh store,
 *   timed from the first byte read to the store reporting it done (gunzip and
 *   parsing included, for everyone). Rhizome: one `import`, one signed atomic
 *   commit. The JavaScript peers parse with N3.js's StreamParser (its speed alone
 *   is a row: the ceiling they share); Oxigraph uses its own parser.
 * - Durable commits/s: single-quad writes, each awaited, on a fresh database; the
 *   writer then SIGKILLs itself without closing, and a fresh process counts what
 *   survived. Rhizome: `insert([quad])`, one signed Merkle-clock node each.
 *   OrbitDB: `add` on an events database. quadstore: `put`, no log, no signature:
 *   the cost of a bare LevelDB write, for scale.
 * - Reopen: for the persistent stores, a fresh process opens the loaded database
 *   until the first quad comes back (the OS file cache is warm: this is a
 *   restart, not a cold boot).
 * - Memory per quad: growth of the process after two full GCs, divided by the
 *   quads. Persistent stores: measured in the reopening process after one full
 *   scan (baseline: after loading code, before opening). In-memory stores: in the
 *   loading process once loaded (baseline: before loading). RSS counts everything
 *   resident, native caches and WASM memory included; "heap+ext" counts the V8
 *   heap plus ArrayBuffers and WASM memory.
 *
 * Every measurement runs `repeat` times, the systems interleaved so that noise
 * from other work on the machine spreads over all of them; tables show medians,
 * the JSON keeps every run.
 */
import { rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runSections } from './harness.js'
import { lubmFile, lubmTriples, repoRoot } from './lubm.js'
import { machineInfo } from './machine.js'
import { runRunner } from './spawn.js'
import { bytes, duration, integer, median, rate, renderTable } from './table.js'
import type { Section } from './harness.js'
import type { MachineInfo } from './machine.js'
import type { BenchOptions } from './options.js'
import type { TaskArgs, TaskResult } from './runners/protocol.js'

interface SystemSpec {
  id: string
  label: string
  runner: string
  /** The runner task that reads LUBM, for the systems that load it. */
  load?: 'load' | 'parse'
  /** Persistent: reopened and measured in a fresh process. */
  reopen?: boolean
  commits?: boolean
}

export const systems: readonly SystemSpec[] = [
  { id: 'rhizome', label: 'Rhizome (on-disk default)', runner: 'rhizome', load: 'load', reopen: true, commits: true },
  { id: 'oxigraph', label: 'Oxigraph (JS/WASM, in memory)', runner: 'oxigraph', load: 'load' },
  { id: 'n3', label: 'N3.js Store (in memory)', runner: 'n3', load: 'load' },
  { id: 'quadstore', label: 'quadstore (LevelDB)', runner: 'quadstore', load: 'load', reopen: true, commits: true },
  { id: 'orbitdb', label: 'OrbitDB (events, Helia on LevelDB)', runner: 'orbitdb', commits: true },
  { id: 'n3-parse', label: 'N3.js parser alone (no store)', runner: 'n3', load: 'parse' }
]

/** Issue 2's targets for Rhizome, hashing and signing included. */
export const targets = {
  loadQuadsPerSecond: 150_000,
  commitsPerSecond: 5_000,
  reopenMs: 1_000,
  memoryBytesPerQuad: 300
}

interface Phase {
  runs: TaskResult[]
  errors: string[]
}

interface MemoryPerQuad { rss: number, heapUsed: number, external: number }

/** The medians the table shows; absent where a system does not do that, or failed. */
export interface SystemSummary {
  quads?: number
  loadMs?: number
  loadQuadsPerSecond?: number
  diskBytesPerQuad?: number
  reopenMs?: number
  scanQuadsPerSecond?: number
  memoryBytesPerQuad?: MemoryPerQuad
  /** The whole growth the per-quad figures divide; a fixed-size cache shows here, not per quad. */
  memoryGrowthBytes?: MemoryPerQuad
  memoryMeasuredIn?: 'the loading process' | 'a fresh process after reopen and a full scan'
  commitsPerSecond?: number
  /** The same writes' rate in a fresh process: the warm-up before the timed run. */
  coldCommitsPerSecond?: number
  commitsWritten?: number
  /** The fewest writes found after a kill, over all runs. */
  commitsKept?: number
}

export interface SystemReport {
  label: string
  summary: SystemSummary
  load: Phase
  reopen: Phase
  commits: Phase
}

export interface CoreReport {
  benchmark: 'core'
  date: string
  quick: boolean
  machine: MachineInfo
  /** The 1-minute load average when the run started and ended: other work on the machine skews the figures. */
  loadAverage: { start: number, end: number }
  dataset: { name: string, file: string, triples: number | undefined }
  settings: { writes: number, warmup: number, repeat: number }
  targets: typeof targets
  systems: Record<string, SystemReport>
}

async function runCore (options: BenchOptions, log: (line: string) => void): Promise<CoreReport> {
  const root = repoRoot()
  const file = lubmFile(options.scale)
  const unknown = options.only?.filter((id) => !systems.some((s) => s.id === id)) ?? []
  if (unknown.length > 0) throw new Error(`unknown system ${unknown.join(', ')}; known: ${systems.map((s) => s.id).join(', ')}`)
  const chosen = systems.filter((s) => options.only == null || options.only.includes(s.id))
  const work = join(root, 'bench', '.data', 'core')
  const loadAtStart = loadavg()[0] ?? NaN
  const reports: Record<string, SystemReport> = {}
  for (const spec of chosen) {
    reports[spec.id] = { label: spec.label, summary: {}, load: newPhase(), reopen: newPhase(), commits: newPhase() }
  }

  /** Runs one task unless this phase already failed (a broken system is not retried). */
  const attempt = async (spec: SystemSpec, phase: 'load' | 'reopen' | 'commits', task: string, args: TaskArgs, run: number): Promise<TaskResult | undefined> => {
    const record = (reports[spec.id] as SystemReport)[phase]
    if (record.errors.length > 0) return undefined
    log(`core: ${spec.id} ${task} (run ${run} of ${options.repeat})`)
    const outcome = await runRunner(spec.runner, task, args, { timeoutMs: options.timeoutMs, cwd: root, log })
    if (outcome.ok) return outcome.result
    record.errors.push(outcome.error)
    log(`core: ${spec.id} ${task} failed: ${outcome.error}`)
    return undefined
  }

  for (let run = 1; run <= options.repeat; run++) {
    for (const spec of chosen) {
      if (spec.load == null) continue
      const report = reports[spec.id] as SystemReport
      const path = join(work, spec.id)
      const loaded = await attempt(spec, 'load', spec.load, { scale: options.scale, path }, run)
      if (loaded == null) continue
      report.load.runs.push(loaded)
      if (spec.reopen !== true) continue
      const reopened = await attempt(spec, 'reopen', 'reopen', { path }, run)
      if (reopened != null) report.reopen.runs.push(reopened)
    }
    for (const spec of chosen) {
      if (spec.commits !== true) continue
      const path = join(work, `${spec.id}-commits`)
      const committed = await attempt(spec, 'commits', 'commits', { path, writes: options.writes, warmup: options.warmup }, run)
      if (committed == null) continue
      const verified = await attempt(spec, 'commits', 'verify', { path, address: committed.address }, run)
      if (verified == null) continue
      const commits = (reports[spec.id] as SystemReport).commits
      commits.runs.push({ ...committed, found: verified.found })
      // A write reported done and then lost to a kill breaks the durability claim: a failure, not a figure.
      if (verified.found !== options.writes) commits.errors.push(`[${spec.id} verify] found ${String(verified.found)} of ${options.writes} acknowledged writes after the kill`)
    }
  }
  if (!options.keep) await rm(work, { recursive: true, force: true })

  for (const spec of chosen) {
    const report = reports[spec.id] as SystemReport
    report.summary = summarize(spec, report)
  }
  return {
    benchmark: 'core',
    date: new Date().toISOString(),
    quick: options.quick,
    machine: machineInfo(root),
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? NaN },
    dataset: { name: `LUBM(${options.scale})`, file: relative(root, file), triples: lubmTriples[options.scale] },
    settings: { writes: options.writes, warmup: options.warmup, repeat: options.repeat },
    targets,
    systems: reports
  }
}

function newPhase (): Phase {
  return { runs: [], errors: [] }
}

/** The median of a numeric field over the runs; undefined when no run has it. */
function medianOf (runs: TaskResult[], pick: (run: TaskResult) => unknown): number | undefined {
  const values = runs.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return values.length === 0 ? undefined : median(values)
}

function summarize (spec: SystemSpec, report: SystemReport): SystemSummary {
  const { load, reopen, commits } = report
  const summary: SystemSummary = {
    quads: medianOf(load.runs, (r) => r.quads),
    loadMs: medianOf(load.runs, (r) => r.ms),
    loadQuadsPerSecond: medianOf(load.runs, (r) => r.quadsPerSecond),
    reopenMs: medianOf(reopen.runs, (r) => r.reopenMs),
    scanQuadsPerSecond: medianOf(reopen.runs, (r) => r.scanQuadsPerSecond),
    commitsPerSecond: medianOf(commits.runs, (r) => r.commitsPerSecond),
    coldCommitsPerSecond: medianOf(commits.runs, (r) => r.coldCommitsPerSecond),
    commitsWritten: medianOf(commits.runs, (r) => r.writes),
    commitsKept: commits.runs.length === 0 ? undefined : Math.min(...commits.runs.map((r) => Number(r.found)))
  }
  const disk = medianOf(load.runs, (r) => typeof r.diskBytes === 'number' && typeof r.quads === 'number' ? r.diskBytes / r.quads : undefined)
  if (disk != null) summary.diskBytesPerQuad = disk
  const memoryRuns = spec.reopen === true ? reopen.runs : spec.load === 'load' ? load.runs : []
  const memoryMedians = (part: 'perQuad' | 'growth'): MemoryPerQuad | undefined => {
    const field = (name: keyof MemoryPerQuad): number | undefined =>
      medianOf(memoryRuns, (r) => (r.memory as Record<string, MemoryPerQuad> | undefined)?.[part]?.[name])
    const rss = field('rss')
    return rss == null ? undefined : { rss, heapUsed: field('heapUsed') ?? NaN, external: field('external') ?? NaN }
  }
  const perQuad = memoryMedians('perQuad')
  if (perQuad != null) {
    summary.memoryBytesPerQuad = perQuad
    summary.memoryGrowthBytes = memoryMedians('growth')
    summary.memoryMeasuredIn = spec.reopen === true ? 'a fresh process after reopen and a full scan' : 'the loading process'
  }
  for (const key of Object.keys(summary) as Array<keyof SystemSummary>) {
    if (summary[key] === undefined) delete summary[key]
  }
  return summary
}

function renderCore (report: CoreReport): string {
  const { dataset, settings, machine } = report
  const cell = (phase: Phase, value: number | undefined, format: (n: number) => string): string =>
    value != null ? format(value) : phase.errors.length > 0 ? 'failed' : '—'
  const rows = Object.values(report.systems).map(({ label, summary: s, load, reopen, commits }) => {
    const memory = s.memoryBytesPerQuad
    const memoryPhase = reopen.runs.length > 0 || reopen.errors.length > 0 ? reopen : load
    return [
      label,
      cell(load, s.loadQuadsPerSecond, rate),
      cell(load, s.loadMs, duration),
      cell(commits, s.commitsPerSecond, (n) => `${rate(n)}/s`),
      cell(commits, s.coldCommitsPerSecond, (n) => `${rate(n)}/s`),
      cell(commits, s.commitsKept, (n) => `${integer(n)}/${integer(s.commitsWritten ?? NaN)}`),
      cell(reopen, s.reopenMs, duration),
      cell(memoryPhase, memory?.rss, bytes),
      cell(memoryPhase, memory == null ? undefined : memory.heapUsed + memory.external, bytes),
      cell(load, s.diskBytesPerQuad, bytes)
    ]
  })
  const table = renderTable([
    { title: 'system', align: 'left' },
    { title: 'bulk load quads/s' },
    { title: 'load time' },
    { title: 'durable commits' },
    { title: '(cold process)' },
    { title: 'kept after kill' },
    { title: 'reopen' },
    { title: 'RAM/quad (RSS)' },
    { title: '(heap+ext)' },
    { title: 'disk/quad' }
  ], rows)
  const lines = [
    `Core benchmark: ${dataset.name}, ${dataset.triples != null ? integer(dataset.triples) : '?'} triples (${dataset.file}); ` +
      `${integer(settings.writes)} single-quad commits per run, after ${integer(settings.warmup ?? 0)} into a throwaway database in the same process; median of ${settings.repeat} run${settings.repeat === 1 ? '' : 's'}`,
    `${machine.cpu}, ${machine.cores} cores, ${bytes(machine.memoryBytes)} RAM, Node ${machine.node}, ` +
      `load average ${report.loadAverage.start.toFixed(1)} at start, ${report.loadAverage.end.toFixed(1)} at end; Rhizome ${machine.commit}`,
    '',
    table,
    '',
    'bulk load: gunzip + parse + store, first byte read to done. durable commits: single-quad writes, each awaited,',
    '  then SIGKILL; "kept" is what a fresh process finds; "cold process": the warm-up writes\' own rate, the first',
    '  ones of a fresh process. Rhizome commits signed Merkle-clock nodes, OrbitDB signed',
    '  log entries, quadstore bare LevelDB puts (no history, no signature: the floor). RAM/quad: process growth after',
    '  GC over quads held; persistent stores after reopen and a full scan (their caches included), in-memory ones once loaded.'
  ]
  const rhizome = report.systems.rhizome?.summary
  if (rhizome != null) lines.push('', targetLine(rhizome))
  const errors = failures(report)
  if (errors.length > 0) lines.push('', 'failures:', ...errors.map((e) => `  ${e}`))
  return lines.join('\n')
}

/** Rhizome's figures against issue 2's targets, one verdict each. */
function targetLine (s: SystemSummary): string {
  const verdict = (value: number | undefined, ok: (v: number) => boolean, text: (v: number) => string, target: string): string =>
    value == null ? `${target}: not measured` : `${text(value)} (target ${target}: ${ok(value) ? 'met' : 'missed'})`
  return 'Rhizome against its targets: ' + [
    verdict(s.loadQuadsPerSecond, (v) => v >= targets.loadQuadsPerSecond, (v) => `import ${rate(v)} quads/s`, `≥ ${integer(targets.loadQuadsPerSecond)}`),
    verdict(s.commitsPerSecond, (v) => v >= targets.commitsPerSecond, (v) => `commits ${rate(v)}/s`, `≥ ${integer(targets.commitsPerSecond)}`),
    verdict(s.reopenMs, (v) => v < targets.reopenMs, (v) => `reopen ${duration(v)}`, '< 1 s'),
    verdict(s.memoryBytesPerQuad?.rss, (v) => v <= targets.memoryBytesPerQuad, (v) => `memory ${bytes(v)}/quad`, `≤ ${targets.memoryBytesPerQuad} B`)
  ].join('; ')
}

function failures (report: CoreReport): string[] {
  return Object.values(report.systems).flatMap((s) => [...s.load.errors, ...s.reopen.errors, ...s.commits.errors])
}

export const coreSection: Section<CoreReport> = {
  name: 'core',
  run: runCore,
  render: renderCore,
  failed: (report) => failures(report).length > 0
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runSections([coreSection], process.argv.slice(2))
}
