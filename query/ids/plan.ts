/**
 * Compiles the part of a query the id-level engine evaluates (an "island") from
 * algebra into id-plan nodes over slots. Islands cover basic graph patterns,
 * joins, VALUES, UNION, property paths, FILTER (with EXISTS on the island's own
 * input) and BIND (not BNODE), OPTIONAL, MINUS, GROUP BY and subqueries, with
 * PROJECT, DISTINCT/REDUCED and LIMIT/OFFSET on top, in the default graph, one
 * named graph, or under GRAPH ?g (paths excepted). Anything else (ORDER BY, FROM,
 * RDF-star, ...) stays with the term-level evaluator, which may in turn hand its
 * operands to islands.
 *
 * Invariant that makes correlated evaluation safe (every node extends the rows
 * it is given, an index nested-loop join everywhere): a FILTER or BIND reads only
 * variables its own input certainly binds, so extra bound variables in the input
 * rows cannot change what it computes; OPTIONAL, MINUS, GROUP and subqueries run
 * on the island's own input only, and inside a join they are isolated: evaluated
 * on their own and hash-joined, as the term-level evaluator does.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import { sameTermKey, varKey } from '../terms.js'
import type { FilterSpec, GroupNode, IdNode, Island, PatternNode, Pos, ProjectNode, ValuesNode } from './nodes.js'

class Unsupported extends Error {}

class Compiler {
  readonly slots = new Map<string, number>()
  readonly names: string[] = []
  readonly constants: RDF.Term[] = []
  private readonly constantIndex = new Map<string, number>()
  /** The graph variable's slot, compiling the body of GRAPH ?g. */
  graph: number | undefined
  isolated = false
  /** Above 0 while compiling an EXISTS body, which runs on many rows at once, each its own solution. */
  perRow = 0

  slot (key: string): number {
    let s = this.slots.get(key)
    if (s === undefined) {
      s = this.names.length
      this.names.push(key)
      this.slots.set(key, s)
    }
    return s
  }

  hidden (): number {
    this.names.push('')
    return this.names.length - 1
  }

  constant (t: RDF.Term): Pos {
    if (t.termType !== 'NamedNode' && t.termType !== 'Literal' && t.termType !== 'BlankNode') throw new Unsupported()
    const k = sameTermKey(t)
    let i = this.constantIndex.get(k)
    if (i === undefined) {
      i = this.constants.length
      this.constants.push(t)
      this.constantIndex.set(k, i)
    }
    return -1 - i
  }

  pos (t: RDF.Term): Pos {
    if (t.termType === 'Quad') throw new Unsupported()
    const k = varKey(t)
    return k === undefined ? this.constant(t) : this.slot(k)
  }

  /**
   * `top`: the node runs on the island's own input only (the root, and down the
   * inputs of FILTER, BIND and OPTIONAL's left side), never on rows a join feeds
   * it. There an expression may read any variable, and OPTIONAL is allowed: fed
   * by a join, an OPTIONAL would see bindings its right side must not.
   */
  node (op: Algebra.Operation, top = false): IdNode {
    switch (op.type) {
      case Algebra.types.BGP: return this.group([op])
      case Algebra.types.JOIN: return this.group(op.input)
      case Algebra.types.VALUES: return this.values(op)
      case Algebra.types.UNION: {
        const branches = op.input.map(i => this.node(i))
        return { kind: 'union', branches, vars: union(branches.map(b => b.vars)), certain: intersection(branches.map(b => b.certain)) }
      }
      case Algebra.types.PATH: return this.path(op.predicate, this.pos(op.subject), this.pos(op.object))
      case Algebra.types.FILTER: {
        const input = this.node(op.input, top)
        const filter = this.expression(op.expression, top ? undefined : input.certain, top)
        return { kind: 'filter', input, filter, vars: input.vars, certain: input.certain }
      }
      case Algebra.types.EXTEND: {
        const input = this.node(op.input, top)
        const expr = this.expression(op.expression, top ? undefined : input.certain)
        const slot = this.slot(op.variable.value)
        return { kind: 'extend', input, slot, expr, vars: new Set([...input.vars, slot]), certain: input.certain }
      }
      case Algebra.types.GROUP: {
        // Inside EXISTS the rows are many solutions substituted at once: a group would mix them.
        if (!top || this.perRow > 0) throw new Unsupported()
        const input = this.node(op.input, true)
        const keys = op.variables.map(v => this.slot(v.value))
        const aggregates = op.aggregates.map(agg => ({
          agg,
          slot: this.slot(agg.variable.value),
          arg: agg.expression.expressionType === Algebra.expressionTypes.WILDCARD ? undefined : this.expression(agg.expression, undefined)
        }))
        const named = [...input.vars].filter(v => this.names[v] !== '')
        const vars = new Set([...keys, ...aggregates.map(a => a.slot)])
        return { kind: 'aggregate', input, keys, aggregates, named, vars, certain: new Set() }
      }
      case Algebra.types.PROJECT: case Algebra.types.DISTINCT: case Algebra.types.REDUCED: case Algebra.types.SLICE:
        // A subquery sees nothing of the rows around it: only ever run isolated.
        if (!top) throw new Unsupported()
        return this.subquery(op)
      case Algebra.types.MINUS: {
        // Fed by a join, a MINUS would see variables shared with its right side that it must not.
        if (!top) throw new Unsupported()
        const left = this.node(op.input[0], true)
        const right = this.node(op.input[1])
        return { kind: 'minus', left, right, vars: left.vars, certain: left.certain }
      }
      case Algebra.types.LEFT_JOIN: {
        if (!top) throw new Unsupported()
        const left = this.node(op.input[0], true)
        const right = this.node(op.input[1])
        const expr = op.expression === undefined ? undefined : this.expression(op.expression, undefined)
        return { kind: 'optional', left, right, expr, origin: this.hidden(), vars: union([left.vars, right.vars]), certain: left.certain }
      }
      default: throw new Unsupported()
    }
  }

  private group (inputs: Algebra.Operation[]): GroupNode {
    const members: IdNode[] = []
    const filters: Algebra.Expression[] = []
    const add = (op: Algebra.Operation): void => {
      if (op.type === Algebra.types.JOIN) { for (const i of op.input) add(i); return }
      if (op.type === Algebra.types.BGP) {
        for (const p of op.patterns) members.push(this.pattern(p.subject, p.predicate, p.object))
        for (const f of (op.metadata?.filters as Algebra.Expression[] | undefined) ?? []) filters.push(f)
        return
      }
      members.push(this.member(op))
    }
    for (const i of inputs) add(i)
    const vars = union(members.map(m => m.vars))
    const certain = union(members.map(m => m.certain))
    return { kind: 'group', members, filters: filters.map(f => this.expression(f, certain)), vars, certain }
  }

  /** A join member: correlated where that is safe, else isolated (evaluated on its own, hash-joined). */
  private member (op: Algebra.Operation): IdNode {
    try {
      return this.node(op)
    } catch (e) {
      // Inside EXISTS the term level substitutes into isolated members too: not here.
      if (!(e instanceof Unsupported) || this.graph !== undefined || this.perRow > 0) throw e
    }
    const input = this.node(op, true)
    this.isolated = true
    return { kind: 'isolated', input, vars: input.vars, certain: input.certain }
  }

  /** A subquery: LIMIT/OFFSET, then DISTINCT or REDUCED, then PROJECT, over its pattern. */
  private subquery (op: Algebra.Operation): ProjectNode {
    const { offset, limit, distinct, project, body } = peel(op)
    if (project === undefined || this.perRow > 0) throw new Unsupported()
    this.isolated = true
    const input = this.node(body, true)
    const keep = project.map(v => this.slot(v.value))
    const certain = new Set(keep.filter(k => input.certain.has(k)))
    return { kind: 'project', input, keep, distinct, offset, limit, vars: new Set(keep), certain }
  }

  private pattern (s: RDF.Term, p: RDF.Term, o: RDF.Term): PatternNode {
    const node: PatternNode = { kind: 'pattern', s: this.pos(s), p: this.pos(p), o: this.pos(o), g: this.graph, vars: new Set(), certain: new Set() }
    for (const x of [node.s, node.p, node.o, node.g]) if (x !== undefined && x >= 0) node.vars.add(x)
    node.certain = node.vars
    return node
  }

  private values (op: Algebra.Values): ValuesNode {
    const slots = op.variables.map(v => this.slot(v.value))
    const rows = op.bindings.map(b => op.variables.map(v => {
      const t = b['?' + v.value] ?? b[v.value]
      return t === undefined ? undefined : this.constant(t)
    }))
    const certain = new Set(slots.filter((_, i) => rows.every(r => r[i] !== undefined)))
    return { kind: 'values', slots, rows, vars: new Set(slots), certain }
  }

  private path (path: Algebra.PropertyPathSymbol, s: Pos, o: Pos): IdNode {
    // A path walks one graph; under GRAPH ?g the term level walks each in turn.
    if (this.graph !== undefined) throw new Unsupported()
    const ends = new Set([s, o].filter(x => x >= 0))
    switch (path.type) {
      case Algebra.types.LINK: return this.linkPattern(s, this.constant(path.iri), o)
      case Algebra.types.INV: return this.path(path.path, o, s)
      case Algebra.types.NPS: {
        const node = this.linkPattern(s, this.hidden(), o)
        node.exclude = path.iris.map(i => this.constant(i))
        return node
      }
      case Algebra.types.ALT: {
        const branches = path.input.map(p => this.path(p, s, o))
        return { kind: 'union', branches, vars: ends, certain: ends }
      }
      case Algebra.types.SEQ: {
        const members: IdNode[] = []
        let from = s
        path.input.forEach((step, i) => {
          const to = i === path.input.length - 1 ? o : this.hidden()
          members.push(this.path(step, from, to))
          from = to
        })
        const vars = union(members.map(m => m.vars))
        return { kind: 'group', members, filters: [], vars, certain: vars }
      }
      case Algebra.types.ZERO_OR_MORE_PATH:
      case Algebra.types.ONE_OR_MORE_PATH:
      case Algebra.types.ZERO_OR_ONE_PATH: {
        const a = this.hidden(); const b = this.hidden()
        const step = this.path(path.path, a, b)
        return {
          kind: 'closure',
          s,
          o,
          a,
          b,
          step,
          zero: path.type !== Algebra.types.ONE_OR_MORE_PATH,
          many: path.type !== Algebra.types.ZERO_OR_ONE_PATH,
          vars: ends,
          certain: ends
        }
      }
      default: throw new Unsupported()
    }
  }

  /** A path's own pattern: its ends only are its variables (a hidden predicate slot is internal). */
  private linkPattern (s: Pos, p: Pos, o: Pos): PatternNode {
    const vars = new Set([s, p, o].filter(x => x >= 0))
    return { kind: 'pattern', s, p, o, vars, certain: vars }
  }

  /**
   * An expression the island can evaluate, reading only slots its input certainly
   * binds (where `certain` is given); EXISTS only where `exists` allows it (a
   * FILTER on the island's own input), its bodies compiled to run on the rows.
   */
  expression (expr: Algebra.Expression, certain: Set<number> | undefined, exists = false): FilterSpec {
    const names = new Set<string>()
    const found: Algebra.ExistenceExpression[] | undefined = exists ? [] : undefined
    checkExpression(expr, names, found)
    const slots = [...names].map(n => this.slot(n))
    if (certain !== undefined) for (const s of slots) if (!certain.has(s)) throw new Unsupported()
    if (found === undefined || found.length === 0) return { expr, slots, names: [...names] }
    this.perRow++
    try {
      return { expr, slots, names: [...names], exists: found.map(e => ({ expr: e, body: this.node(e.input, true), origin: this.hidden() })) }
    } finally {
      this.perRow--
    }
  }
}

// BNODE(str) must give one blank node per string within a solution: the term-level evaluator keeps that scope.
const UNSUPPORTED_OPERATORS = new Set(['bnode'])

function checkExpression (e: Algebra.Expression, names: Set<string>, exists: Algebra.ExistenceExpression[] | undefined): void {
  switch (e.expressionType) {
    case Algebra.expressionTypes.TERM:
      if (e.term.termType === 'Variable') names.add(e.term.value)
      else if (e.term.termType === 'Quad') throw new Unsupported()
      return
    case Algebra.expressionTypes.OPERATOR:
      if (UNSUPPORTED_OPERATORS.has(e.operator.toLowerCase())) throw new Unsupported()
      for (const a of e.args) checkExpression(a, names, exists)
      return
    case Algebra.expressionTypes.NAMED:
      for (const a of e.args) checkExpression(a, names, exists)
      return
    case Algebra.expressionTypes.EXISTENCE:
      if (exists === undefined) throw new Unsupported()
      exists.push(e)
      return
    default: throw new Unsupported()
  }
}

function union (sets: Array<Set<number>>): Set<number> {
  const out = new Set<number>()
  for (const s of sets) for (const x of s) out.add(x)
  return out
}

function intersection (sets: Array<Set<number>>): Set<number> {
  if (sets.length === 0) return new Set()
  return new Set([...sets[0]!].filter(x => sets.every(s => s.has(x))))
}

/**
 * The island for `op`, or undefined where the id-level engine does not cover it.
 * On top: LIMIT/OFFSET, then DISTINCT or REDUCED, then PROJECT, each optional.
 */
/** LIMIT/OFFSET, then DISTINCT or REDUCED, then PROJECT, each optional, peeled off a query. */
function peel (op: Algebra.Operation): { offset: number, limit: number, distinct: boolean, project: RDF.Variable[] | undefined, body: Algebra.Operation } {
  let offset = 0; let limit = Infinity; let distinct = false
  let project: RDF.Variable[] | undefined
  let cur = op
  if (cur.type === Algebra.types.SLICE) {
    offset = cur.start
    limit = cur.length ?? Infinity
    cur = cur.input
  }
  if (cur.type === Algebra.types.DISTINCT || cur.type === Algebra.types.REDUCED) { distinct = true; cur = cur.input }
  if (cur.type === Algebra.types.PROJECT) { project = cur.variables; cur = cur.input }
  return { offset, limit, distinct, project, body: cur }
}

export function compileIsland (op: Algebra.Operation, graphVariable?: string): Island | undefined {
  const { offset, limit, distinct, project, body: cur } = peel(op)
  // A bare LIMIT or DISTINCT over something that is not a projection is left to the term level.
  if ((offset !== 0 || limit !== Infinity || distinct) && project === undefined) return undefined
  const c = new Compiler()
  if (graphVariable !== undefined) c.graph = c.slot(graphVariable)
  try {
    const body = c.node(cur, true)
    const projected = project?.map(v => c.slot(v.value))
    return { body, width: c.names.length, names: c.names, constants: c.constants, graph: c.graph, isolated: c.isolated, project: projected, distinct, offset, limit }
  } catch (e) {
    if (e instanceof Unsupported) return undefined
    throw e
  }
}
