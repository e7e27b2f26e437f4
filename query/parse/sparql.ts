/**
 * The parser: sparqljs (a Jison grammar, two of its actions corrected in place)
 * reads the text, §19.2 codepoint escapes are decoded first, and every parser
 * failure becomes a SparqlSyntaxError with a position and a one-line summary.
 * The static checks sparqljs misses run on the tree it returns (static-checks.ts).
 */
import { createRequire } from 'node:module'
import type * as SparqlJs from 'sparqljs'
import { QueryAbortedError, QueryError, QueryTimeoutError, QueryTooDeepError, SparqlSyntaxError, type TextPosition } from '../errors.js'
import { df } from '../terms.js'
import { type QueryLimits, checkSyntaxTree, checkText, isStackOverflow, resolveLimits } from '../limits.js'
import { checkBindScope, checkNestedAggregates, checkQueryBlankNodes, checkUpdate, positionOf } from './static-checks.js'
import { describeExpected, offendingToken, variableInData, type JisonHash } from './syntax-errors.js'

export interface ParseOptions {
  baseIRI?: string | undefined
  prefixes?: Record<string, string> | undefined
  /** Size and depth limits (limits.ts); the defaults when absent. */
  limits?: QueryLimits | undefined
  /** Parsing stops with QueryAbortedError once this fires (checked as the parser reduces). */
  signal?: AbortSignal | undefined
  /** Epoch milliseconds after which parsing stops with QueryTimeoutError. */
  deadline?: number | undefined
  /** The time limit the deadline came from, for the error. */
  timeoutMs?: number | undefined
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
function fixParser (parser: { performAction: Action }, options: ParseOptions): void {
  const perform = parser.performAction
  // The parser runs synchronously, so no timer fires during it: the deadline is read
  // from the clock and the signal's state every 1,024 reductions.
  let reductions = 0
  parser.performAction = function (this: { $: unknown }, yytext, yyleng, yylineno, yy, yystate, $$, ...rest) {
    if ((++reductions & 1023) === 0) {
      if (options.signal?.aborted === true) throw new QueryAbortedError({ cause: options.signal.reason })
      if (options.deadline !== undefined && Date.now() > options.deadline) throw new QueryTimeoutError(options.timeoutMs ?? 0)
    }
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

/** sparqljs, required on the first parse rather than when Rhizome is imported (~60 ms). */
let library: typeof SparqlJs | undefined
function sparqljs (): typeof SparqlJs {
  library ??= createRequire(import.meta.url)('sparqljs') as typeof SparqlJs
  return library
}

export function parseSparql (text: string, options: ParseOptions = {}): SparqlJs.SparqlQuery {
  const limits = resolveLimits(options.limits)
  checkText(text, limits)
  const parser = new (sparqljs().Parser)({ baseIRI: options.baseIRI, prefixes: options.prefixes, factory: df as never, sparqlStar: true })
  fixParser(parser as unknown as { performAction: Action }, options)
  let ast: SparqlJs.SparqlQuery
  try {
    ast = parser.parse(unescapeCodepoints(text))
  } catch (e) {
    if (e instanceof QueryError) throw e
    if (isStackOverflow(e)) throw new QueryTooDeepError(limits.maxDepth, { cause: e })
    throw toSyntaxError(e, text)
  }
  checkSyntaxTree(ast, limits)
  // An update request may be empty (only a prologue or comments).
  if ((ast as { type?: string }).type === undefined) ast = { ...ast, type: 'update', updates: [] } as unknown as SparqlJs.Update
  if (ast.type === 'query') { checkQueryBlankNodes(ast, text); checkBindScope(ast.where ?? [], text) } else checkUpdate(ast, text)
  checkNestedAggregates(ast, text)
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
  // The token the parser stopped at, and what it expected there (syntax-errors.ts).
  const full = e as { hash?: JisonHash }
  const offending = full.hash === undefined ? undefined : offendingToken(full.hash, text)
  if (offending !== undefined && full.hash?.expected !== undefined) {
    return new SparqlSyntaxError(`syntax error: ${describeExpected(offending.got, full.hash.expected)}`, offending.position, { cause: e })
  }
  if (/illegal variable/.test(message)) {
    const variable = variableInData(text)
    if (variable !== undefined) return new SparqlSyntaxError(`INSERT DATA and DELETE DATA take no variables, but ${variable.name} is one`, variable.position, { cause: e })
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
