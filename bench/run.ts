/**
 * All of Rhizome's benchmarks in one run, one table per section: `core` (issue 2:
 * load, durable commits, reopen, memory). The query (SPARQL on LUBM) and sync
 * (replication) sections join this list as their issues land.
 */
import { coreSection } from './core.js'
import { runSections } from './harness.js'

process.exitCode = await runSections([coreSection], process.argv.slice(2))
