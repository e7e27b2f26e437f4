/**
 * All of Rhizome's benchmarks in one run, one table per section: `startup` (issue 9:
 * import, CLI and open/close times of dist/), `core` (issue 2:
 * load, durable commits, reopen, memory), `query` (issue 3: the 14 LUBM queries
 * beside Oxigraph and Comunica), then `sync` (issue 4: two-process catch-up and
 * commit latency beside OrbitDB) and `http` (issue 15: the SPARQL endpoint beside
 * Comunica's server and Virtuoso), which run as their own processes and print their
 * own tables. Options are passed to the core and query sections; `--quick`, `--results DIR`
 * and `--only` (whether it names orbitdb) to sync as well.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { coreSection } from './core.js'
import { querySection } from './query.js'
import { startupSection } from './startup.js'
import { runSections } from './harness.js'

const status = await runSections([startupSection, coreSection, querySection], process.argv.slice(2))
if (process.argv.includes('--help')) process.exit(status)
const argv = process.argv.slice(2)
const syncArgs = argv.flatMap((arg, i) => arg === '--quick' ? [arg] : arg === '--results' && argv[i + 1] !== undefined ? [arg, argv[i + 1]] : [])
// --only without orbitdb leaves OrbitDB out of the sync section too.
const only = argv[argv.indexOf('--only') + 1]
if (argv.includes('--only') && only !== undefined && !only.split(',').includes('orbitdb')) syncArgs.push('--orbitdb', '0')
// sync and http each run as their own process and print their own tables.
const child = async (script: string, args: string[]): Promise<number> => {
  const run = spawn(process.execPath, [...process.execArgv, fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: 'inherit' })
  return await new Promise<number>(resolve => run.once('exit', code => resolve(code ?? 1)))
}
const syncStatus = await child('./sync.js', syncArgs)
const httpArgs = argv.flatMap((arg, i) => arg === '--quick' ? [arg] : arg === '--results' && argv[i + 1] !== undefined ? [arg, argv[i + 1]] : [])
const httpStatus = await child('./http.js', httpArgs)
process.exitCode = [status, syncStatus, httpStatus].find(s => s !== 0) ?? 0
