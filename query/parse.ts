/**
 * The front end: sparqljs parses, this module adds the static checks sparqljs
 * misses (blank-node labels shared between basic graph patterns, §4.1.4; blank
 * nodes in DELETE templates) and turns every parser failure into a
 * SparqlSyntaxError with a position. Queries are then translated to algebra by
 * sparqlalgebrajs (GRAPH kept as an operator so evaluation follows §18.5 exactly).
 */
import sparqljs from 'sparqljs'
import type * as SparqlJs from 'sparqljs'
import { Algebra, translate } from 'sparqlalgebrajs'
import { SparqlSyntaxError, type TextPosition } from './errors.js'
import { df } from './terms.js'

export interface ParseOptions {
  baseIRI?: string | undefined
  prefixes?: Record<string, string> | undefined
}

type Action = (this: { $: unknown }, yytext: string, yyleng: number, yylineno: number, yy: unknown, yystate: number, $$: unknown[], ...rest: unknown[]) => unknown

/**
 * Two grammar actions of sparqljs 3.7.4 (a Jison parser) are wrong, and W3C tests
 * catch both; the parser is wrapped rather than forked. Each fix checks that the
 * production looks as expected, so another sparqljs version is left alone.
 *  - 103 (TriplesNode PropertyList): a blank-node property list standing alone as a
 *    CONSTRUCT template triple (`[ :p ?o ] .`) has no PropertyList; sparqljs throws.
 *  - 201–203 (NumericLiteralPositive): `+5` becomes "5", but a literal is kept as
 *    written: the term in `?s ?p +5` is "+5"^^xsd:integer (data-r2 basic/term-8).
 */
function fixParser (parser: { performAction: Action }): void {
  const perform = parser.performAction
  parser.performAction = function (this: { $: unknown }, yytext, yyleng, yylineno, yy, yystate, $$, ...rest) {
    const last = $$.length - 1
    if (yystate === 103 && $$[last] === undefined && typeof $$[last - 1] === 'object' && $$[last - 1] !== null && 'entity' in ($$[last - 1] as object)) {
      $$[last] = []
    }
    const result = perform.call(this, yytext, yyleng, yylineno, yy, yystate, $$, ...rest)
    if (yystate >= 201 && yystate <= 203 && typeof $$[last] === 'string' && ($$[last] as string).startsWith('+')) {
      const literal = this.$ as { termType?: string, value: string, datatype: { value: string } }
      if (literal.termType === 'Literal' && literal.value.toLowerCase() === ($$[last] as string).slice(1).toLowerCase()) {
        this.$ = df.literal('+' + literal.value, df.namedNode(literal.datatype.value))
      }
    }
    return result
  }
}

export function parseSparql (text: string, options: ParseOptions = {}): SparqlJs.SparqlQuery {
  const parser = new sparqljs.Parser({ baseIRI: options.baseIRI, prefixes: options.prefixes, factory: df as never, sparqlStar: true })
  fixParser(parser as unknown as { performAction: Action })
  let ast: SparqlJs.SparqlQuery
  try {
    ast = parser.parse(unescapeCodepoints(text))
  } catch (e) {
    throw toSyntaxError(e, text)
  }
  // An update request may be empty (only a prologue or comments).
  if ((ast as { type?: string }).type === undefined) ast = { ...ast, type: 'update', updates: [] } as unknown as SparqlJs.Update
  if (ast.type === 'query') { checkQueryBlankNodes(ast, text); checkBindScope(ast.where ?? [], text) } else checkUpdate(ast, text)
  return ast
}

export function parseQuery (text: string, options: ParseOptions = {}): SparqlJs.Query {
  const ast = parseSparql(text, options)
  if (ast.type !== 'query') throw new SparqlSyntaxError('expected a query, got an update request')
  return ast
}

export function parseUpdate (text: string, options: ParseOptions = {}): SparqlJs.Update {
  const ast = parseSparql(text, options)
  if (ast.type !== 'update') throw new SparqlSyntaxError('expected an update request, got a query')
  return ast
}

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

/** Algebra of a query (or of an update's WHERE wrapped as a query). */
export function toAlgebra (ast: SparqlJs.Query, text = ''): Algebra.Operation {
  try {
    protectNestedOptionalFilters(ast.where)
    let op = translate(ast as never, { quads: false })
    // sparqlalgebrajs drops LIMIT 0 (it tests the limit for truthiness).
    if ((ast as { limit?: number }).limit === 0) op = { type: Algebra.types.SLICE, input: op, start: 0, length: 0 } as Algebra.Slice
    return op
  } catch (e) {
    if (e instanceof SparqlSyntaxError) throw e
    void text
    throw new SparqlSyntaxError(e instanceof Error ? e.message : String(e), undefined, { cause: e })
  }
}

/**
 * §19.2: \u and \U escapes are replaced before parsing, anywhere in the text
 * (sparqljs only handles them inside strings).
 */
function unescapeCodepoints (text: string): string {
  if (!text.includes('\\u') && !text.includes('\\U')) return text
  return text.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, (m, a: string | undefined, b: string | undefined) => {
    // Keep escapes sparqljs will see inside string literals: it decodes those itself.
    const cp = parseInt(a ?? b!, 16)
    const ch = String.fromCodePoint(cp)
    return ch === '"' || ch === "'" || ch === '\\' || ch === '>' || ch === '<' ? m : ch
  })
}

function toSyntaxError (e: unknown, text: string): SparqlSyntaxError {
  const message = e instanceof Error ? e.message : String(e)
  const hash = (e as { hash?: { loc?: { first_line?: number, first_column?: number }, line?: number } }).hash
  let position: TextPosition | undefined
  if (hash?.loc?.first_line !== undefined) position = { line: hash.loc.first_line, column: (hash.loc.first_column ?? 0) + 1 }
  else if (typeof hash?.line === 'number') position = { line: hash.line + 1, column: 1 }
  else {
    const m = /line (\d+)/.exec(message)
    if (m !== null) position = { line: Number(m[1]), column: 1 }
  }
  // sparqljs (Jison) says "Parse error on line N:", then the line, a caret, and
  // "Expecting …, got …": the last part is what names the problem.
  const lines = message.split('\n')
  const expecting = lines.find(l => l.startsWith('Expecting ') || l.startsWith('Unexpected '))
  let summary = lines[0] ?? message
  const parts = expecting === undefined ? null : /^Expecting (.*), got (.*)$/.exec(expecting)
  if (parts !== null) {
    const tokens = parts[1].split(', ')
    summary = tokens.length <= 4 ? `syntax error: expected ${tokens.join(' or ')}, got ${parts[2]}` : `syntax error: unexpected ${parts[2]}`
  } else if (expecting !== undefined) {
    summary = `syntax error: ${expecting}`
  }
  const prefix = /^Unknown prefix: (\S*)/.exec(message)
  if (prefix !== null) {
    summary = `unknown prefix ${prefix[1]}:`
    position = positionOf(text, `${prefix[1]}:`, false) ?? position
  }
  return new SparqlSyntaxError(summary, position, { cause: e })
}

function positionOf (text: string, needle: string, last = true): TextPosition | undefined {
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
function checkQueryBlankNodes (query: SparqlJs.Query | SparqlJs.Update, text: string, owner = new Map<string, object>()): void {
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
function checkBindScope (patterns: SparqlJs.Pattern[], text: string): void {
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

function checkUpdate (update: SparqlJs.Update, text: string): void {
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

/** Wraps an update's WHERE clause as `SELECT * WHERE …` so it translates like a query. */
export function whereAsQuery (where: SparqlJs.Pattern[], baseIRI?: string): SparqlJs.SelectQuery {
  return {
    type: 'query', queryType: 'SELECT', prefixes: {}, base: baseIRI,
    variables: [new sparqljs.Wildcard()], where
  } as SparqlJs.SelectQuery
}
