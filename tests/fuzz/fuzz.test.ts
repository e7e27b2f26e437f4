/**
 * A short, deterministic fuzz run of every target (fixed seed, fixed number of
 * inputs): no crash, no hang, no partial apply. `npm run fuzz` runs them for longer.
 * A failure prints the input; it then becomes a case in tests/query/hostile.test.ts
 * (or tests/graph/bad-input.test.ts for import and merge).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { RhizomeError } from '../../quad-model/index.js'
import { fuzz, type Target } from './harness.js'
import { TARGET_NAMES, makeTarget } from './targets.js'

const INPUTS: Record<string, number> = { 'sparql-query': 12, 'sparql-update': 12 }

describe('fuzz (short deterministic run)', () => {
  for (const name of TARGET_NAMES) {
    it(`${name}: every input ends in success or a coded error, and a failed write commits nothing`, async () => {
      const target = await makeTarget(name)
      try {
        const stats = await fuzz(target as Target<unknown>, { seed: 20_261_207, inputs: INPUTS[name] ?? 50, hangMs: 10_000 })
        expect(stats.tried).toBe(INPUTS[name] ?? 50)
        expect(stats.failures).toEqual([])
      } finally {
        await target.close?.()
      }
    }, 120_000)
  }
})

describe('the fuzz harness', () => {
  it('counts an uncoded error as a crash, a run past the limit as a hang, a changed graph as a partial apply', async () => {
    const inputs = fc.constantFrom('throw', 'hang', 'partial', 'coded', 'ok')
    const target: Target<string> = {
      name: 'self-test',
      inputs,
      show: s => s,
      run: async (kind) => {
        if (kind === 'throw') throw new RangeError('Maximum call stack size exceeded')
        if (kind === 'hang') await new Promise(resolve => setTimeout(resolve, 1_000))
        if (kind === 'coded') throw new RhizomeError('ERR_SPARQL_SYNTAX', 'bad')
        return kind === 'partial' ? 'partial' : 'ok'
      }
    }
    const stats = await fuzz(target, { seed: 1, inputs: 40, hangMs: 100 })
    expect(stats.crashes).toBeGreaterThan(0)
    expect(stats.hangs).toBeGreaterThan(0)
    expect(stats.partial).toBeGreaterThan(0)
    expect(stats.coded).toBeGreaterThan(0)
    expect(stats.succeeded).toBeGreaterThan(0)
    expect(stats.crashes + stats.hangs + stats.partial + stats.coded + stats.succeeded).toBe(40)
  })
})
