/**
 * Compiles algebra expressions to closures once per query, so evaluating a FILTER
 * per solution walks no tree and allocates only its result. EXISTS needs the
 * evaluator (async); compiled code reads its answer from a per-solution map that
 * the FILTER/EXTEND operator fills first (see `existenceExpressions`).
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import type { Bindings, SharedState } from '../context.js'
import { df, booleanLiteral, xsd, XSD } from '../terms.js'
import { ExprError, compareValues, effectiveBooleanValue, fail, termEquals } from './operators.js'
import { numericLiteral, numericValue, promote, castTo } from './xsd.js'
import * as fn from './functions.js'
import { SparqlUnsupportedError } from '../errors.js'

export type ExistsResults = Map<Algebra.ExistenceExpression, boolean>
export type Compiled = (b: Bindings, exists: ExistsResults | undefined) => RDF.Term

export interface ExpressionEnv {
  readonly baseIRI: string | undefined
  readonly now: RDF.Literal
  readonly shared: SharedState
}

/** Evaluates to a term, or undefined on a type error or unbound variable. */
export function evaluateOrUndefined (c: Compiled, b: Bindings, exists?: ExistsResults): RDF.Term | undefined {
  try {
    return c(b, exists)
  } catch (e) {
    if (e instanceof ExprError) return undefined
    throw e
  }
}

/** FILTER semantics: a type error counts as false. */
export function evaluateFilter (c: Compiled, b: Bindings, exists?: ExistsResults): boolean {
  try {
    return effectiveBooleanValue(c(b, exists))
  } catch (e) {
    if (e instanceof ExprError) return false
    throw e
  }
}

/** The EXISTS sub-expressions of an expression, outermost first. */
export function existenceExpressions (expr: Algebra.Expression, out: Algebra.ExistenceExpression[] = []): Algebra.ExistenceExpression[] {
  switch (expr.expressionType) {
    case Algebra.expressionTypes.EXISTENCE: out.push(expr); break
    case Algebra.expressionTypes.OPERATOR: case Algebra.expressionTypes.NAMED:
      for (const a of expr.args) existenceExpressions(a, out)
      break
    case Algebra.expressionTypes.AGGREGATE: existenceExpressions(expr.expression, out); break
    default: break
  }
  return out
}

export function compileExpression (expr: Algebra.Expression, env: ExpressionEnv): Compiled {
  switch (expr.expressionType) {
    case Algebra.expressionTypes.TERM: {
      const term = expr.term
      if (term.termType === 'Variable') {
        const name = term.value
        return (b) => b.get(name) ?? fail(`unbound variable ?${name}`)
      }
      return () => term
    }
    case Algebra.expressionTypes.EXISTENCE: {
      const node = expr
      return (_b, exists) => {
        const r = exists?.get(node)
        if (r === undefined) throw new Error('EXISTS evaluated without its precomputed result')
        return booleanLiteral(r)
      }
    }
    case Algebra.expressionTypes.OPERATOR: return compileOperator(expr, env)
    case Algebra.expressionTypes.NAMED: return compileNamed(expr, env)
    case Algebra.expressionTypes.AGGREGATE:
      throw new Error('aggregate outside GROUP (should have been replaced by a variable)')
    case Algebra.expressionTypes.WILDCARD:
      throw new Error('wildcard outside COUNT(*)')
  }
}

function compileNamed (expr: Algebra.NamedExpression, env: ExpressionEnv): Compiled {
  const name = expr.name.value
  const args = expr.args.map(a => compileExpression(a, env))
  if (name.startsWith(XSD) && args.length === 1) {
    const [a] = args as [Compiled]
    return (b, ex) => castTo(name, a(b, ex)) ?? fail(`cannot cast to ${name}`)
  }
  // Unknown functions are an evaluation error (§17.6), not a parse error.
  return () => fail(`unknown function <${name}>`)
}

type Fn1 = (a: RDF.Term) => RDF.Term
const UNARY: Record<string, Fn1> = {
  str: fn.str,
  lang: fn.lang,
  datatype: fn.datatype,
  strlen: fn.strlen,
  ucase: fn.ucase,
  lcase: fn.lcase,
  encode_for_uri: fn.encodeForUri,
  abs: fn.abs,
  ceil: fn.ceil,
  floor: fn.floor,
  round: fn.round,
  year: fn.year,
  month: fn.month,
  day: fn.day,
  hours: fn.hours,
  minutes: fn.minutes,
  seconds: fn.seconds,
  timezone: fn.timezone,
  tz: fn.tz,
  isnumeric: fn.isNumeric,
  md5: (a) => fn.hash('md5', a),
  sha1: (a) => fn.hash('sha1', a),
  sha256: (a) => fn.hash('sha256', a),
  sha384: (a) => fn.hash('sha384', a),
  sha512: (a) => fn.hash('sha512', a),
  isiri: (a) => booleanLiteral(a.termType === 'NamedNode'),
  isuri: (a) => booleanLiteral(a.termType === 'NamedNode'),
  isblank: (a) => booleanLiteral(a.termType === 'BlankNode'),
  isliteral: (a) => booleanLiteral(a.termType === 'Literal'),
  istriple: (a) => booleanLiteral(a.termType === 'Quad'),
  subject: (a) => a.termType === 'Quad' ? a.subject : fail('not a triple term'),
  predicate: (a) => a.termType === 'Quad' ? a.predicate : fail('not a triple term'),
  object: (a) => a.termType === 'Quad' ? a.object : fail('not a triple term'),
  '!': (a) => booleanLiteral(!effectiveBooleanValue(a)),
  uminus: (a) => { const n = numericValue(a) ?? fail('unary minus of a non-number'); return numericLiteral(n.kind, -n.value) },
  uplus: (a) => { const n = numericValue(a) ?? fail('unary plus of a non-number'); return numericLiteral(n.kind, n.value) }
}

type Fn2 = (a: RDF.Term, b: RDF.Term) => RDF.Term
const BINARY: Record<string, Fn2> = {
  '=': (a, b) => booleanLiteral(termEquals(a, b)),
  '!=': (a, b) => booleanLiteral(!termEquals(a, b)),
  '<': (a, b) => booleanLiteral(compareValues(a, b) < 0),
  '>': (a, b) => booleanLiteral(compareValues(a, b) > 0),
  '<=': (a, b) => booleanLiteral(compareValues(a, b) <= 0),
  '>=': (a, b) => booleanLiteral(compareValues(a, b) >= 0),
  '+': (a, b) => arithmetic(a, b, (x, y) => x + y, false),
  '-': (a, b) => arithmetic(a, b, (x, y) => x - y, false),
  '*': (a, b) => arithmetic(a, b, (x, y) => x * y, false),
  '/': (a, b) => arithmetic(a, b, (x, y) => x / y, true),
  sameterm: (a, b) => booleanLiteral(a.equals(b)),
  langmatches: fn.langMatches,
  strstarts: fn.strstarts,
  strends: fn.strends,
  contains: fn.contains,
  strbefore: fn.strbefore,
  strafter: fn.strafter,
  strdt: fn.strdt,
  strlang: fn.strlang
}

function arithmetic (a: RDF.Term, b: RDF.Term, op: (x: number, y: number) => number, division: boolean): RDF.Term {
  const x = numericValue(a); const y = numericValue(b)
  if (x === undefined || y === undefined) fail('arithmetic on a non-number')
  let kind = promote(x.kind, y.kind)
  if (division && kind === 'integer') kind = 'decimal'
  if (division && y.value === 0 && (kind === 'decimal')) fail('division by zero')
  const v = op(x.value, y.value)
  return numericLiteral(kind, kind === 'integer' ? v : v)
}

function compileOperator (expr: Algebra.OperatorExpression, env: ExpressionEnv): Compiled {
  const op = expr.operator.toLowerCase()
  const args = expr.args.map(a => compileExpression(a, env))
  const unary = UNARY[op]
  if (unary !== undefined && args.length === 1) {
    const [a] = args as [Compiled]
    return (b, ex) => unary(a(b, ex))
  }
  const binary = BINARY[op]
  if (binary !== undefined && args.length === 2) {
    const [a, c] = args as [Compiled, Compiled]
    return (b, ex) => binary(a(b, ex), c(b, ex))
  }
  switch (op) {
    case '||': {
      const [a, c] = args as [Compiled, Compiled]
      return (b, ex) => {
        // Error || true = true; error || false = error (§17.2).
        let left: boolean | ExprError
        try { left = effectiveBooleanValue(a(b, ex)) } catch (e) { if (!(e instanceof ExprError)) throw e; left = e }
        if (left === true) return booleanLiteral(true)
        const right = effectiveBooleanValue(c(b, ex))
        if (right) return booleanLiteral(true)
        if (left instanceof ExprError) throw left
        return booleanLiteral(false)
      }
    }
    case '&&': {
      const [a, c] = args as [Compiled, Compiled]
      return (b, ex) => {
        let left: boolean | ExprError
        try { left = effectiveBooleanValue(a(b, ex)) } catch (e) { if (!(e instanceof ExprError)) throw e; left = e }
        if (left === false) return booleanLiteral(false)
        const right = effectiveBooleanValue(c(b, ex))
        if (!right) return booleanLiteral(false)
        if (left instanceof ExprError) throw left
        return booleanLiteral(true)
      }
    }
    case 'bound': {
      const v = expr.args[0]
      if (v?.expressionType !== Algebra.expressionTypes.TERM || v.term.termType !== 'Variable') return () => fail('BOUND needs a variable')
      const name = v.term.value
      return (b) => booleanLiteral(b.has(name))
    }
    case 'if': {
      const [c, t, e] = args as [Compiled, Compiled, Compiled]
      return (b, ex) => effectiveBooleanValue(c(b, ex)) ? t(b, ex) : e(b, ex)
    }
    case 'coalesce':
      return (b, ex) => {
        for (const a of args) {
          try { return a(b, ex) } catch (e) { if (!(e instanceof ExprError)) throw e }
        }
        return fail('COALESCE: no argument evaluated')
      }
    case 'in': case 'notin': {
      const [needle, ...hay] = args as [Compiled, ...Compiled[]]
      const negate = op === 'notin'
      return (b, ex) => {
        const v = needle(b, ex)
        let error: ExprError | undefined
        for (const h of hay) {
          try {
            if (termEquals(v, h(b, ex))) return booleanLiteral(!negate)
          } catch (e) { if (!(e instanceof ExprError)) throw e; error = e }
        }
        if (error !== undefined) throw error
        return booleanLiteral(negate)
      }
    }
    case 'regex': {
      const [t, p, f] = args as [Compiled, Compiled, Compiled | undefined]
      return (b, ex) => fn.regex(t(b, ex), p(b, ex), f?.(b, ex))
    }
    case 'replace': {
      const [t, p, r, f] = args as [Compiled, Compiled, Compiled, Compiled | undefined]
      return (b, ex) => fn.replace(t(b, ex), p(b, ex), r(b, ex), f?.(b, ex))
    }
    case 'substr': {
      const [s, st, ln] = args as [Compiled, Compiled, Compiled | undefined]
      return (b, ex) => fn.substr(s(b, ex), st(b, ex), ln?.(b, ex))
    }
    case 'concat': return (b, ex) => fn.concat(args.map(a => a(b, ex)))
    case 'iri': case 'uri': {
      const [a] = args as [Compiled]
      return (b, ex) => fn.iri(a(b, ex), env.baseIRI)
    }
    case 'bnode': {
      const shared = env.shared
      if (args.length === 0) return () => df.blankNode(shared.bnodePrefix + String(shared.bnodeCounter++))
      const [a] = args as [Compiled]
      return (b, ex) => {
        const label = a(b, ex)
        if (label.termType !== 'Literal' || label.language !== '' || label.datatype.value !== xsd.string) fail('BNODE takes a simple literal')
        let scope = shared.bnodeScopes.get(b)
        if (scope === undefined) shared.bnodeScopes.set(b, scope = new Map())
        let node = scope.get(label.value)
        if (node === undefined) scope.set(label.value, node = df.blankNode(shared.bnodePrefix + String(shared.bnodeCounter++)))
        return node
      }
    }
    case 'rand': return fn.rand
    case 'now': return () => env.now
    case 'uuid': return fn.uuid
    case 'struuid': return fn.struuid
    case 'triple': {
      const [s, p, o] = args as [Compiled, Compiled, Compiled]
      return (b, ex) => {
        const st = s(b, ex); const pt = p(b, ex); const ot = o(b, ex)
        if (st.termType === 'Literal' || pt.termType !== 'NamedNode') fail('invalid triple term')
        return df.quad(st as RDF.Quad_Subject, pt, ot as RDF.Quad_Object)
      }
    }
    default:
      throw new SparqlUnsupportedError(`function ${expr.operator}`)
  }
}
