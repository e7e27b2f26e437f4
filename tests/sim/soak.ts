/**
 * `npm run soak -- --seeds N [--from S] [--steps K] [--memory] [--concurrent]`: runs
 * the simulation (simulation.ts) for N seeds and prints the schedules run and the
 * divergences (--concurrent: a tick's steps at once; not replayable exactly).
 * `npm run soak -- --seed S --trace` replays one seed step by step.
 * Exits 1 if any seed failed.
 */
import { parseArgs } from 'node:util'
import { replayCommand, runSimulation, type SimOptions } from './simulation.js'

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    memory: { type: 'boolean', default: false },
    concurrent: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false }
  }
})
const options: SimOptions = {
  steps: values.steps === undefined ? undefined : Number(values.steps),
  persistent: !values.memory,
  concurrent: values.concurrent,
  trace: values.trace
}
const first = Number(values.seed ?? values.from)
const count = values.seed === undefined ? Number(values.seeds) : 1
const started = performance.now()
const totals = { writes: 0, merges: 0, failedMerges: 0, crashes: 0, partitions: 0, messages: 0, dropped: 0, duplicated: 0, fetchesFailed: 0 }
let divergences = 0
for (let seed = first; seed < first + count; seed++) {
  const result = await runSimulation(seed, options)
  for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += result.counts[key]
  if (values.trace) for (const line of result.trace) console.log(line)
  if (result.failures.length > 0) {
    divergences++
    console.log(`seed ${seed} FAILED:\n  ${result.failures.join('\n  ')}\n  replay: ${replayCommand(seed, options)}`)
  }
  if ((seed - first + 1) % 100 === 0) console.log(`${seed - first + 1} schedules, ${divergences} failed, ${((performance.now() - started) / 1000).toFixed(0)} s`)
}
const seconds = (performance.now() - started) / 1000
console.log(`soak: seeds ${first}..${first + count - 1}: ${count} schedules run, ${divergences} divergences (failed seeds), in ${seconds.toFixed(1)} s`)
console.log(`  ${totals.writes} acknowledged writes, ${totals.merges} merges (${totals.failedMerges} failed on missing blocks, as the faults make them), ${totals.crashes} crashes and restarts, ${totals.partitions} partitions`)
console.log(`  ${totals.messages} messages delivered, ${totals.dropped} dropped, ${totals.duplicated} duplicated, ${totals.fetchesFailed} block fetches failed`)
process.exitCode = divergences > 0 ? 1 : 0
