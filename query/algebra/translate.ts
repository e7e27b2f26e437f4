/**
 * Syntax tree to algebra: sparqlalgebrajs translates (GRAPH kept as an operator,
 * so evaluation follows §18.5 exactly), after one rewrite of the tree that keeps
 * a nested OPTIONAL's FILTER inside its own group, and LIMIT 0 is put back where
 * sparqlalgebrajs drops it. A translation failure is a SparqlSyntaxError.
 */
import sparqljs from 'sparqljs'
import type * as SparqlJs from 'sparqljs'
import { Algebra, translate } from 'sparqlalgebrajs'
import { SparqlSyntaxError } from '../errors.js'

/**
 * sparqlalgebrajs turns `OPTIONAL { { P FILTER(e) } }` into LeftJoin(…, P, e),
 * letting the filter see the outer solution, which §18.2.2.5 reserves for a FILTER
 * directly in the OPTIONAL group. Joining the inner group with VALUES {()} (one
 * empty solution) keeps it a separate group without changing its solutions.
 */
function protectNestedOptionalFilters (node: unknown): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) { for (const n of node) protectNestedOptionalFilters(n); return }
  const n = node as Record<string, unknown>
  if (n.termType !== undefined) return
  if (n.type === 'optional' && Array.isArray(n.patterns) && n.patterns.length === 1) {
    const inner = n.patterns[0] as { type?: string, patterns?: Array<{ type?: string }> }
    if (inner.type === 'group' && inner.patterns?.some(p => p.type === 'filter') === true) {
      n.patterns = [...n.patterns, { type: 'values', values: [{}] }]
    }
  }
  for (const v of Object.values(n)) protectNestedOptionalFilters(v)
}

/**
 * SELECT * lists the variables in the order they first appear in the query (§18.2.1
 * leaves it open; people expect the order they wrote), where sparqlalgebrajs sorts
 * them by name. Reorders the top projection's variables in place.
 */
function orderWildcard (op: Algebra.Operation, where: SparqlJs.Pattern[]): void {
  let top: Algebra.Operation = op
  while (top.type === Algebra.types.SLICE || top.type === Algebra.types.DISTINCT || top.type === Algebra.types.REDUCED) top = (top as Algebra.Single).input
  if (top.type !== Algebra.types.PROJECT) return
  const order = new Map<string, number>()
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) { for (const n of node) walk(n); return }
    const n = node as Record<string, unknown>
    if (n.termType === 'Variable' && typeof n.value === 'string') {
      if (!order.has(n.value)) order.set(n.value, order.size)
      return
    }
    for (const v of Object.values(n)) walk(v)
  }
  walk(where)
  const project = top as Algebra.Project
  const rank = (name: string): number => order.get(name) ?? Number.MAX_SAFE_INTEGER
  project.variables = project.variables.map((v, i) => ({ v, i })).sort((a, b) => rank(a.v.value) - rank(b.v.value) || a.i - b.i).map(x => x.v)
}

/** Algebra of a query (or of an update's WHERE wrapped as a query). */
export function toAlgebra (ast: SparqlJs.Query, text = ''): Algebra.Operation {
  try {
    protectNestedOptionalFilters(ast.where)
    let op = translate(ast as never, { quads: false })
    // sparqlalgebrajs drops LIMIT 0 (it tests the limit for truthiness).
    if ((ast as { limit?: number }).limit === 0) op = { type: Algebra.types.SLICE, input: op, start: 0, length: 0 } as Algebra.Slice
    if (ast.queryType === 'SELECT' && ast.variables.some(v => v instanceof sparqljs.Wildcard || (v as { termType?: string }).termType === 'Wildcard')) orderWildcard(op, ast.where ?? [])
    return op
  } catch (e) {
    // Running out of stack is the caller's to name (ERR_QUERY_TOO_DEEP), not a syntax error.
    if (e instanceof SparqlSyntaxError || e instanceof RangeError) throw e
    void text
    throw new SparqlSyntaxError(e instanceof Error ? e.message : String(e), undefined, { cause: e })
  }
}

/** Wraps an update's WHERE clause as `SELECT * WHERE …` so it translates like a query. */
export function whereAsQuery (where: SparqlJs.Pattern[], baseIRI?: string): SparqlJs.SelectQuery {
  return {
    type: 'query',
    queryType: 'SELECT',
    prefixes: {},
    base: baseIRI,
    variables: [new sparqljs.Wildcard()],
    where
  } as SparqlJs.SelectQuery
}
