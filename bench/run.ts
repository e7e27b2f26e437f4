/**
 * All of Rhizome's benchmarks in one run, one table per section: `startup` (issue 9:
 * import, CLI and open/close times of dist/), `core` (issue 2:
 * load, durable commits, reopen, memory), `query` (issue 3: the 14 LUBM queries
 * beside Oxigraph and Comunica), then `sync` (issue 4: two-process catch-up and
 * commit latency beside OrbitDB), `hostile-peer` (issue 10: flood, slow readers, junk
 * blocks), `load` (issue 10: writer and reader processes for minutes) and `http` (issue 15:
 * the SPARQL endpoint beside Comunica's server and Virtuoso), `naming` (issue 11: names
 * between processes, beside @helia/ipns) and `pin-many` (issue 14: one
 * pinning peer, 100 databases), each of which
 * runs as its own process and prints its own table. Options are passed to the core and query sections; `--quick`, `--results DIR`
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
// --quick and --results DIR go to the sections that run as their own processes.
const passed = argv.flatMap((arg, i) => arg === '--quick' ? [arg] : arg === '--results' && argv[i + 1] !== undefined ? [arg, argv[i + 1]] : [])
const syncArgs = [...passed]
// --only without orbitdb leaves OrbitDB out of the sync section too.
const only = argv[argv.indexOf('--only') + 1]
if (argv.includes('--only') && only !== undefined && !only.split(',').includes('orbitdb')) syncArgs.push('--orbitdb', '0')
/** Runs another bench script as its own process, printing its own table; resolves with its exit status. */
async function section (script: string, args: string[], nodeArgs: string[] = []): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...nodeArgs, fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: 'inherit' })
  return await new Promise<number>(resolve => child.once('exit', code => resolve(code ?? 1)))
}
const syncStatus = await section('./sync.js', syncArgs)
// issue 10: hostile peers (the network defects' figures) and the load test, each its own process
const quick = argv.includes('--quick') ? ['--quick'] : []
const hostileStatus = await section('./hostile-peer.js', quick, ['--expose-gc'])
const loadStatus = await section('./load.js', quick)
// issue 15: the SPARQL endpoint beside Comunica's server and Virtuoso
const httpStatus = await section('./http.js', passed)
// issue 14: a pinning peer following many databases
const pinStatus = await section('./pin-many.js', argv.includes('--quick') ? ['--databases', '10', '--idle', '10'] : [])
// issue 11: names (publish, resolve through a pinner, beside @helia/ipns)
const namingStatus = await section('./naming.js', quick)
process.exitCode = [status, syncStatus, hostileStatus, loadStatus, httpStatus, pinStatus, namingStatus].find(s => s !== 0) ?? 0
