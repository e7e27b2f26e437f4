/**
 * Start-up benchmark (issue 9, "Fast small operations and start-up"): what a dapp and
 * a terminal user wait for before Rhizome does anything, measured on the package as
 * it ships (`dist/`, built by `npm run build`), every figure in fresh processes so
 * that nothing is warm but the OS file cache.
 *
 * - `import('rhizome')`: from before the dynamic import to after it, inside a fresh
 *   `node` (the process's own start is not counted here; it is in the CLI rows).
 * - `rhizome --version` and `rhizome query` on a small database: the whole process,
 *   spawn to exit, as a shell would time it.
 * - `openGraph` and `close()` of an existing on-disk database (the SQLite default),
 *   in a fresh process: the first open (cold code paths) and the median of the next
 *   opens and closes of the same database.
 *
 * - A small import (3 quads) into an on-disk database: the ordinary commit path,
 *   no worker thread; and the close after it.
 *
 * Targets from the issue: import ≤ 100 ms, `--version` ≤ 100 ms, `query` ≤ 150 ms,
 * open and close ≤ 10 ms each, a small import ≤ 2 ms. They are printed beside the figures, never asserted.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runSections } from './harness.js'
import { repoRoot } from './lubm.js'
import { duration, median, renderTable } from './table.js'
import type { Section } from './harness.js'
import type { BenchOptions } from './options.js'

interface Row { what: string, target: number, runs: number[] }
export interface StartupReport { rows: Row[], failures: string[] }

interface Exit { code: number | null, stdout: string, stderr: string, wallMs: number }

async function run (args: string[], timeoutMs: number): Promise<Exit> {
  const start = performance.now()
  const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr, wallMs: performance.now() - start }
}

/** Runs a script in a fresh `node`; it prints one JSON line of figures. */
async function figures (script: string, timeoutMs: number): Promise<Record<string, number>> {
  const exit = await run(['--input-type=module', '-e', script], timeoutMs)
  if (exit.code !== 0) throw new Error(`a start-up probe exited ${String(exit.code)}: ${exit.stderr.trim().split('\n').slice(-3).join(' ')}`)
  return JSON.parse(exit.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>
}

async function cli (args: string[], timeoutMs: number): Promise<number> {
  const exit = await run([join(repoRoot(), 'dist/cli/main.js'), ...args], timeoutMs)
  if (exit.code !== 0) throw new Error(`rhizome ${args.join(' ')} exited ${String(exit.code)}: ${exit.stderr.trim()}`)
  return exit.wallMs
}

export const startupSection: Section<StartupReport> = {
  name: 'startup',
  async run (options: BenchOptions, log) {
    const repeat = Math.max(options.quick ? 3 : 10, options.repeat)
    const timeoutMs = options.timeoutMs
    const index = pathToFileURL(join(repoRoot(), 'dist/index.js')).href
    const folder = await mkdtemp(join(tmpdir(), 'rhizome-startup-'))
    const db = join(folder, 'db')
    const rows: Row[] = [
      { what: "import('rhizome')", target: 100, runs: [] },
      { what: 'node -e 0 (a bare process, for scale)', target: Number.NaN, runs: [] },
      { what: 'rhizome --version (whole process)', target: 100, runs: [] },
      { what: 'rhizome query, 100 quads (whole process)', target: 150, runs: [] },
      { what: 'openGraph, existing on-disk db (first in process)', target: 10, runs: [] },
      { what: 'openGraph, existing on-disk db (median of next 9)', target: 10, runs: [] },
      { what: 'close() after open', target: 10, runs: [] },
      { what: 'graph.import of 3 quads, on-disk (median of 20)', target: 2, runs: [] },
      { what: 'close() after 20 small imports', target: 10, runs: [] }
    ]
    const failures: string[] = []
    try {
      log('startup: writing a 100-quad database')
      await figures(`
        const { openGraph, factory: f } = await import(${JSON.stringify(index)})
        const g = await openGraph({ path: ${JSON.stringify(db)} })
        const quads = Array.from({ length: 100 }, (_, i) => f.quad(f.namedNode('urn:s' + i), f.namedNode('urn:p'), f.literal(String(i))))
        await g.insert(quads)
        await g.close()
        console.log('{}')`, timeoutMs)
      for (let i = 0; i < repeat; i++) {
        log(`startup: run ${i + 1} of ${repeat}`)
        const imported = await figures(`
          const t = performance.now(); await import(${JSON.stringify(index)})
          console.log(JSON.stringify({ ms: performance.now() - t }))`, timeoutMs)
        rows[0].runs.push(imported.ms)
        rows[1].runs.push((await run(['-e', '0'], timeoutMs)).wallMs)
        rows[2].runs.push(await cli(['--version'], timeoutMs))
        rows[3].runs.push(await cli(['query', '--db', db, '--format', 'json', 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }'], timeoutMs))
        const opened = await figures(`
          const { openGraph } = await import(${JSON.stringify(index)})
          const opens = [], closes = []
          for (let i = 0; i < 10; i++) {
            let t = performance.now(); const g = await openGraph({ path: ${JSON.stringify(db)} }); opens.push(performance.now() - t)
            t = performance.now(); await g.close(); closes.push(performance.now() - t)
          }
          const rest = opens.slice(1).sort((a, b) => a - b)
          console.log(JSON.stringify({ first: opens[0], next: rest[rest.length >> 1], close: closes.sort((a, b) => a - b)[5] }))`, timeoutMs)
        rows[4].runs.push(opened.first)
        rows[5].runs.push(opened.next)
        rows[6].runs.push(opened.close)
        const small = await figures(`
          const { openGraph } = await import(${JSON.stringify(index)})
          const g = await openGraph({ path: ${JSON.stringify(join(folder, `small-${i}`))} })
          const times = []
          for (let i = 0; i < 20; i++) {
            const text = '<urn:a' + i + '> <urn:p> "1" .\\n<urn:a' + i + '> <urn:p> "2" .\\n<urn:a' + i + '> <urn:p> "3" .\\n'
            const t = performance.now(); await g.import(text, { format: 'nt' }); times.push(performance.now() - t)
          }
          const t = performance.now(); await g.close(); const close = performance.now() - t
          times.sort((a, b) => a - b)
          console.log(JSON.stringify({ import: times[10], close }))`, timeoutMs)
        rows[7].runs.push(small.import)
        rows[8].runs.push(small.close)
      }
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err))
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
    return { rows, failures }
  },
  render (report) {
    const table = renderTable(
      [{ title: 'start-up (dist/, fresh processes)', align: 'left' }, { title: 'median' }, { title: 'min' }, { title: 'target' }, { title: 'runs' }],
      report.rows.filter(r => r.runs.length > 0).map(r => [r.what, duration(median(r.runs)), duration(Math.min(...r.runs)), Number.isNaN(r.target) ? '' : `≤ ${duration(r.target)}`, String(r.runs.length)])
    )
    return report.failures.length === 0 ? table : `${table}\nfailed: ${report.failures.join('; ')}`
  },
  failed: report => report.failures.length > 0
}

if (process.argv[1] != null && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runSections([startupSection], process.argv.slice(2))
}
