/**
 * All of Rhizome's benchmarks in one run, one table per section: `core` (issue 2:
 * load, durable commits, reopen, memory), `query` (issue 3: the 14 LUBM queries
 * beside Oxigraph and Comunica), then `sync` (issue 4: two-process catch-up and
 * commit latency beside OrbitDB), which runs as its own process and prints its own
 * table. Options are passed to the core and query sections.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { coreSection } from './core.js'
import { querySection } from './query.js'
import { runSections } from './harness.js'

const status = await runSections([coreSection, querySection], process.argv.slice(2))
const sync = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL('./sync.js', import.meta.url))], { stdio: 'inherit' })
const syncStatus = await new Promise<number>(resolve => sync.once('exit', code => resolve(code ?? 1)))
process.exitCode = status !== 0 ? status : syncStatus
