/**
 * The set functions (§18.5): COUNT, SUM, MIN, MAX, AVG, SAMPLE, GROUP_CONCAT,
 * each with DISTINCT, as accumulators that fold one group's values; both
 * evaluators group (eval/group.ts on terms, ids/engine.ts on ids) and feed them.
 * DISTINCT compares by RDF term identity (`sameTermKey`), as the spec requires.
 * An error inside SUM/AVG makes that aggregate unbound for the group; COUNT, MIN,
 * MAX, SAMPLE and GROUP_CONCAT skip the solutions that error.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import type { Bindings } from '../context.js'
import { isStringLiteral, orderTerms } from './operators.js'
import { df, sameTermKey } from '../terms.js'
import { numericLiteral, numericValue, promote, type NumericKind } from './xsd.js'

export interface Accumulator {
  add: (value: RDF.Term | undefined, solution: Bindings) => void
  result: () => RDF.Term | undefined
}

export function solutionKey (b: Bindings): string {
  const keys = [...b.keys()].sort()
  let out = ''
  for (const k of keys) out += k + '=' + sameTermKey(b.get(k)!) + '\u0001'
  return out
}

/** The running state of one set function over one group (`solution` is read only by COUNT(DISTINCT *)). */
export function accumulator (agg: Algebra.BoundAggregate): Accumulator {
  const distinct = agg.distinct
  const seen = distinct ? new Set<string>() : undefined
  const fresh = (value: RDF.Term | undefined, solution: Bindings): boolean => {
    if (seen === undefined) return true
    const k = value === undefined ? solutionKey(solution) : sameTermKey(value)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  }
  switch (agg.aggregator) {
    case 'count': {
      const star = agg.expression.expressionType === Algebra.expressionTypes.WILDCARD
      let n = 0
      return {
        add: (v, sol) => { if ((star || v !== undefined) && fresh(star ? undefined : v, sol)) n++ },
        result: () => numericLiteral('integer', n)
      }
    }
    case 'sum': case 'avg': {
      let kind: NumericKind = 'integer'; let total = 0; let n = 0; let failed = false
      return {
        add: (v, sol) => {
          if (failed) return
          if (v === undefined) { failed = true; return }
          if (!fresh(v, sol)) return
          const num = numericValue(v)
          if (num === undefined) { failed = true; return }
          kind = promote(kind, num.kind); total += num.value; n++
        },
        result: () => {
          if (failed) return undefined
          if (agg.aggregator === 'sum') return numericLiteral(kind, total)
          if (n === 0) return numericLiteral('integer', 0)
          return numericLiteral(kind === 'integer' ? 'decimal' : kind, total / n)
        }
      }
    }
    case 'min': case 'max': {
      let best: RDF.Term | undefined
      const sign = agg.aggregator === 'min' ? 1 : -1
      return {
        add: (v) => { if (v !== undefined && (best === undefined || sign * orderTerms(v, best) < 0)) best = v },
        result: () => best
      }
    }
    case 'sample': {
      let sample: RDF.Term | undefined
      return { add: (v) => { sample ??= v }, result: () => sample }
    }
    case 'group_concat': {
      const separator = (agg as Algebra.GroupConcatExpression).separator ?? ' '
      const parts: string[] = []
      let failed = false
      return {
        add: (v, sol) => {
          if (failed) return
          if (v === undefined || !isStringLiteral(v)) { failed = true; return }
          if (!fresh(v, sol)) return
          parts.push(v.value)
        },
        result: () => failed ? undefined : df.literal(parts.join(separator))
      }
    }
  }
}
