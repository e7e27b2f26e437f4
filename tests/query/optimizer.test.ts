/**
 * Differential test of the optimizer: random queries over random data (fast-check,
 * fixed seed) must give the same multiset of solutions with the planner's passes
 * on (filter pushdown, join reordering, nested-loop joins) and off (algebra as
 * translated, hash joins only).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { MemorySource, executeQuery } from '../../query/index.js'
import { passes as optimizerPasses } from '../../query/algebra/index.js'
import { EX, quadArb, queryArb, toQuad } from './random-queries.js'

async function solutions (source: MemorySource, query: string, optimize: boolean): Promise<string[]> {
  const result = await executeQuery(source, `PREFIX : <${EX}> ${query}`, { optimize })
  if (result.type !== 'bindings') throw new Error('bindings expected')
  const out: string[] = []
  for await (const s of result) out.push([...s].map(([k, v]) => `${k}=${v.termType}:${v.value}`).sort().join(' '))
  return out.sort()
}

describe('optimizer', () => {
  it('names its passes', () => {
    expect(optimizerPasses.map(p => p.name)).toEqual(['normalize', 'pushFilters', 'reorderPatterns', 'chooseJoins'])
  })

  it('gives the same solutions with the optimizer on and off', async () => {
    let nonEmpty = 0
    await fc.assert(fc.asyncProperty(fc.array(quadArb, { minLength: 20, maxLength: 80 }), queryArb, async (quads, query) => {
      const source = new MemorySource(quads.map(toQuad))
      const [on, off] = [await solutions(source, query, true), await solutions(source, query, false)]
      expect(on, query).toEqual(off)
      if (on.length > 0) nonEmpty++
    }), { seed: 20240611, numRuns: 300 })
    // The property is only as strong as its queries: most must return something.
    expect(nonEmpty).toBeGreaterThan(80)
    console.log(`optimizer differential: ${nonEmpty}/300 queries returned solutions`)
  })
})
