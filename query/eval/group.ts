/**
 * GROUP BY on the term level (§18.5): solutions are grouped by the keys of their
 * group-variable values (RDF term identity, as the spec requires), and each group
 * folds its solutions into one accumulator per set function (expr/aggregates.ts).
 * Cost: every group and its accumulators stay in memory until the input ends.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import type { Bindings, EvalContext } from '../context.js'
import { type Accumulator, type Compiled, ExprError, accumulator, compileExpression } from '../expr/index.js'
import { sameTermKey } from '../terms.js'

export async function * evalGroup (op: Algebra.Group, input: AsyncIterable<Bindings>, ctx: EvalContext): AsyncIterable<Bindings> {
  const env = { baseIRI: ctx.baseIRI, now: ctx.now, shared: ctx.shared }
  const aggregates = op.aggregates.map(a => ({
    agg: a,
    expr: a.expression.expressionType === Algebra.expressionTypes.WILDCARD ? undefined : compileExpression(a.expression, env)
  }))
  const groupVars = op.variables.map(v => v.value)
  const groups = new Map<string, { key: Bindings, accs: Accumulator[] }>()
  const newGroup = (key: Bindings): { key: Bindings, accs: Accumulator[] } => ({ key, accs: aggregates.map(a => accumulator(a.agg)) })
  for await (const b of input) {
    let k = ''
    for (const v of groupVars) { const t = b.get(v); k += (t === undefined ? '' : sameTermKey(t)) + '\u0001' }
    let group = groups.get(k)
    if (group === undefined) {
      const key: Bindings = new Map()
      for (const v of groupVars) { const t = b.get(v); if (t !== undefined) key.set(v, t) }
      groups.set(k, group = newGroup(key))
    }
    for (let i = 0; i < aggregates.length; i++) {
      const { expr } = aggregates[i]!
      group.accs[i]!.add(expr === undefined ? undefined : evalAggArg(expr, b), b)
    }
  }
  if (groups.size === 0 && groupVars.length === 0) groups.set('', newGroup(new Map()))
  for (const { key, accs } of groups.values()) {
    const out = new Map(key)
    for (let i = 0; i < aggregates.length; i++) {
      const r = accs[i]!.result()
      if (r !== undefined) out.set(aggregates[i]!.agg.variable.value, r)
    }
    yield out
  }
}

function evalAggArg (expr: Compiled, b: Bindings): RDF.Term | undefined {
  try {
    return expr(b, undefined)
  } catch (e) {
    if (e instanceof ExprError) return undefined
    throw e
  }
}
