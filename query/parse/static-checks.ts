/**
 * The static checks of SPARQL 1.1 that sparqljs does not make, run on its syntax
 * tree before anything is evaluated: a blank-node label may not be shared by two
 * basic graph patterns (§4.1.4), BIND may not assign a variable already in scope
 * (§19.8 note 13), and DELETE templates hold no blank nodes (§19.6). Each
 * failure is a SparqlSyntaxError pointing at the offending text.
 * Cost: one walk over the tree per check.
 */
import type * as SparqlJs from 'sparqljs'
import { SparqlSyntaxError, type TextPosition } from '../errors.js'

/** Line and column (1-based) of the last (or first) occurrence of `needle` in the text. */
export function positionOf (text: string, needle: string, last = true): TextPosition | undefined {
  const i = last ? text.lastIndexOf(needle) : text.indexOf(needle)
  if (i < 0) return undefined
  const before = text.slice(0, i)
  const line = before.split('\n').length
  return { line, column: i - before.lastIndexOf('\n') }
}

/** User-written labels are prefixed `e_` by sparqljs; generated ones (`[]`) cannot clash. */
function userLabel (t: { termType: string, value: string }): string | undefined {
  return t.termType === 'BlankNode' && t.value.startsWith('e_') ? t.value.slice(2) : undefined
}

/** §4.1.4: the same blank node label may not be used in two basic graph patterns. */
export function checkQueryBlankNodes (query: SparqlJs.Query | SparqlJs.Update, text: string, owner = new Map<string, object>()): void {
  const visitTerm = (t: unknown, bgp: object): void => {
    if (t === null || typeof t !== 'object') return
    const term = t as { termType?: string, value?: string, subject?: unknown, object?: unknown }
    if (term.termType === 'Quad') { visitTerm(term.subject, bgp); visitTerm(term.object, bgp); return }
    if (term.termType === undefined || term.value === undefined) return
    const label = userLabel(term as { termType: string, value: string })
    if (label === undefined) return
    const seen = owner.get(label)
    if (seen === undefined) owner.set(label, bgp)
    else if (seen !== bgp) throw new SparqlSyntaxError(`blank node label _:${label} is used in more than one basic graph pattern`, positionOf(text, '_:' + label))
  }
  const visitBgp = (n: { triples: SparqlJs.Triple[] }, bgp: object): void => {
    for (const t of n.triples) { visitTerm(t.subject, bgp); visitTerm(t.predicate, bgp); visitTerm(t.object, bgp) }
  }
  // Within one group, triple blocks separated only by FILTERs form one BGP
  // (filters are collected per group, §18.2.2.2); anything else starts a new one.
  const visitList = (patterns: unknown[]): void => {
    let owner: object | undefined
    for (const p of patterns) {
      const n = p as Record<string, unknown>
      if (n?.type === 'bgp') { owner ??= {}; visitBgp(n as never, owner); continue }
      if (n?.type !== 'filter') owner = undefined
      visit(p)
    }
  }
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) { visitList(node); return }
    const n = node as Record<string, unknown>
    if (n.type === 'bgp' && Array.isArray(n.triples)) { visitBgp(n as never, {}); return }
    if (n.termType !== undefined) return
    if (n.type === 'union' && Array.isArray(n.patterns)) { for (const p of n.patterns) visitList([p]); return }
    for (const [k, v] of Object.entries(n)) {
      // Templates are not graph patterns: their blank nodes are fresh per solution.
      if (k === 'template' || k === 'insert' || k === 'delete') continue
      visit(v)
    }
  }
  visit(query)
}

/** Variables a pattern may bind, as seen by a later BIND in the same group (§18.2.1). */
function boundVariables (node: unknown, out: Set<string>): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) { for (const n of node) boundVariables(n, out); return }
  const n = node as Record<string, unknown>
  if (n.termType === 'Variable') { out.add(n.value as string); return }
  if (n.termType !== undefined) return
  switch (n.type) {
    case 'filter': case 'minus': return
    case 'bind': boundVariables(n.variable, out); return
    case 'values': for (const row of (n.values as Array<Record<string, unknown>>)) for (const k of Object.keys(row)) out.add(k.slice(1)); return
    case 'query':
      for (const v of (n.variables as unknown[]) ?? []) {
        const item = v as { termType?: string, value?: string, variable?: { value: string } }
        if (item.termType === 'Variable') out.add(item.value!)
        else if (item.variable !== undefined) out.add(item.variable.value)
        else if (item.termType === 'Wildcard') boundVariables(n.where, out)
      }
      return
    default: for (const v of Object.values(n)) boundVariables(v, out)
  }
}

/** BIND may not assign a variable already in scope earlier in its group (§19.8 note 13). */
export function checkBindScope (patterns: SparqlJs.Pattern[], text: string): void {
  const inScope = new Set<string>()
  for (const p of patterns) {
    if (p.type === 'bind' && inScope.has(p.variable.value)) {
      throw new SparqlSyntaxError(`BIND assigns ?${p.variable.value}, which is already in scope`, positionOf(text, 'BIND', false))
    }
    boundVariables(p, inScope)
    const nested = (p as { patterns?: SparqlJs.Pattern[] }).patterns
    if (p.type !== 'union' && Array.isArray(nested)) checkBindScope(nested, text)
    if (p.type === 'union') for (const branch of p.patterns) checkBindScope((branch as { patterns?: SparqlJs.Pattern[] }).patterns ?? [branch], text)
    if (p.type === 'query') checkBindScope(p.where ?? [], text)
  }
}

export function checkUpdate (update: SparqlJs.Update, text: string): void {
  for (const update0 of update.updates ?? []) {
    if (!('updateType' in update0)) continue
    const op = update0 as { delete?: SparqlJs.Quads[], where?: SparqlJs.Pattern[] }
    // §19.6 / grammar note 8: DELETE templates and DELETE DATA may not contain blank nodes.
    for (const block of op.delete ?? []) {
      for (const t of block.triples) {
        for (const term of [t.subject, t.predicate, t.object]) {
          if ((term as { termType?: string }).termType === 'BlankNode') {
            throw new SparqlSyntaxError('blank nodes are not allowed in DELETE templates', positionOf(text, 'DELETE', false))
          }
        }
      }
    }
    if (op.where !== undefined) checkQueryBlankNodes({ type: 'query', where: op.where } as never, text)
  }
}

/**
 * §18.5 / grammar: an aggregate's argument is an expression over the group's
 * solutions, so it may not hold another aggregate (`COUNT(COUNT(*))`). An aggregate
 * in a subquery under EXISTS is that subquery's own. Walked with a stack.
 */
export function checkNestedAggregates (ast: object, text: string): void {
  const stack: Array<[unknown, boolean]> = [[ast, false]]
  while (stack.length > 0) {
    const [node, inAggregate] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) { for (const x of node) stack.push([x, inAggregate]); continue }
    const n = node as Record<string, unknown>
    if (typeof n.termType === 'string') continue
    const isAggregate = n.type === 'aggregate'
    if (isAggregate && inAggregate) {
      throw new SparqlSyntaxError(`aggregate ${String(n.aggregation).toUpperCase()} inside another aggregate`, positionOf(text, String(n.aggregation).toUpperCase(), false))
    }
    // A graph pattern (EXISTS, a subquery) starts afresh.
    const fresh = n.type === 'query' || n.type === 'group' || n.type === 'bgp'
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') stack.push([v, fresh ? false : inAggregate || isAggregate])
  }
}
