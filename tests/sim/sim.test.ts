/**
 * The deterministic simulation (simulation.ts), a few hundred seeds: replicas in
 * memory and on disk over a network that drops, duplicates, delays and partitions,
 * with crashes and restarts, must converge to the same heads and quads and lose no
 * acknowledged commit. `npm run soak -- --seeds N` runs thousands; a failing seed
 * prints the command that replays it.
 */
import { describe, expect, it } from 'vitest'
import { replayCommand, runSimulation, type SimOptions } from './simulation.js'

const SEEDS = Number(process.env.RHIZOME_SIM_SEEDS ?? 200)
const BATCH = 20
/** Shorter schedules than the soak's (24 steps), to keep this file near a minute on a loaded machine. */
const OPTIONS: SimOptions = { steps: 20 }

async function runBatch (first: number, count: number, options: SimOptions = {}): Promise<void> {
  const failed: string[] = []
  for (let seed = first; seed < first + count; seed++) {
    const result = await runSimulation(seed, options)
    if (result.failures.length > 0) failed.push(`seed ${seed}: ${result.failures.join('; ')}\n  replay: ${replayCommand(seed, options)}`)
  }
  expect(failed, failed.join('\n')).toEqual([])
}

describe('simulated replicas converge and lose nothing acknowledged', () => {
  const batches = Array.from({ length: Math.ceil(SEEDS / BATCH) }, (_, i) => ({ first: 1 + i * BATCH, count: Math.min(BATCH, SEEDS - i * BATCH), last: i * BATCH + Math.min(BATCH, SEEDS - i * BATCH) }))
  it.each(batches)('seeds $first to $last', async ({ first, count }) => {
    await runBatch(first, count, OPTIONS)
  })

  it('a seed replays the same schedule', async () => {
    const a = await runSimulation(7, { trace: true })
    const b = await runSimulation(7, { trace: true })
    const strip = (lines: string[]): string[] => lines.map(l => l.replace(/\b[a-z0-9]{59}\b/g, 'CID'))
    expect(a.counts).toEqual(b.counts)
    expect(strip(a.trace)).toEqual(strip(b.trace))
    expect(a.counts.writes).toBeGreaterThan(0)
  })
})
