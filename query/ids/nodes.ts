/**
 * The id-level plan: the nodes an island compiles to (plan.ts) and the island
 * itself. A node reads and writes slots of a row (rows.ts), one slot per variable
 * of the island; a pattern position is a slot or one of the island's constants.
 * `vars` and `certain` are the static analysis every evaluator relies on: a node
 * may bind only `vars`, and binds all of `certain` in every row it yields.
 */
import type * as RDF from '@rdfjs/types'
import type { Algebra } from 'sparqlalgebrajs'

/** A pattern position: a slot (>= 0) or a constant (-1 - its index in Island.constants). */
export type Pos = number

interface NodeBase {
  /** Slots the node may bind. */
  vars: Set<number>
  /** Slots the node binds in every solution. */
  certain: Set<number>
}

export interface PatternNode extends NodeBase {
  kind: 'pattern'
  s: Pos
  p: Pos
  o: Pos
  /** Under GRAPH ?g: the slot of the graph variable, bound to the named graph each match is in. */
  g?: number
  /** Negated property set: constants whose ids the predicate must not be. */
  exclude?: Pos[]
}

export interface ValuesNode extends NodeBase {
  kind: 'values'
  slots: number[]
  /** Per row, per slot: a constant, or undefined for UNDEF. */
  rows: Array<Array<Pos | undefined>>
}

export interface FilterSpec {
  expr: Algebra.Expression
  slots: number[]
  names: string[]
  /** The expression's EXISTS parts: each body runs on the rows themselves (§18.6, substitution). */
  exists?: ExistsSpec[]
}

export interface ExistsSpec {
  expr: Algebra.ExistenceExpression
  body: IdNode
  /** A hidden slot holding each row's number while the body runs. */
  origin: number
}

export interface GroupNode extends NodeBase {
  kind: 'group'
  members: IdNode[]
  /** Pushed-down filters, each applied as soon as its slots are certainly bound. */
  filters: FilterSpec[]
}

export interface UnionNode extends NodeBase {
  kind: 'union'
  branches: IdNode[]
}

/** `*`, `+` and `?`: walks `step` (compiled between slots a and b) from the bound end. */
export interface ClosureNode extends NodeBase {
  kind: 'closure'
  s: Pos
  o: Pos
  a: number
  b: number
  step: IdNode
  zero: boolean
  many: boolean
}

export interface FilterNode extends NodeBase {
  kind: 'filter'
  input: IdNode
  filter: FilterSpec
}

export interface ExtendNode extends NodeBase {
  kind: 'extend'
  input: IdNode
  slot: number
  expr: FilterSpec
}

/** OPTIONAL: each row of `left` extended by `right` where `expr` holds, or kept as it is. */
export interface OptionalNode extends NodeBase {
  kind: 'optional'
  left: IdNode
  right: IdNode
  expr: FilterSpec | undefined
  /** A hidden slot holding each left row's number while `right` runs. */
  origin: number
}

/** MINUS: the rows of `left` compatible with no row of `right` that shares a variable with them. */
export interface MinusNode extends NodeBase {
  kind: 'minus'
  left: IdNode
  right: IdNode
}

/** One set function of a GROUP: its output slot, and its argument (undefined for `*`). */
export interface AggregateSpec {
  agg: Algebra.BoundAggregate
  slot: number
  arg: FilterSpec | undefined
}

/** GROUP BY with its set functions: one row per group, its keys and the functions' values. */
export interface AggregateNode extends NodeBase {
  kind: 'aggregate'
  input: IdNode
  keys: number[]
  aggregates: AggregateSpec[]
  /** The slots of the input's variables (COUNT(DISTINCT *) compares whole solutions). */
  named: number[]
}

/**
 * A join member that must not see the rows it joins (a subquery; OPTIONAL, MINUS,
 * GROUP or a filter reading variables it does not bind, inside a join): evaluated
 * once on its own, then joined to the rows by a hash join, as the term-level
 * evaluator does.
 */
export interface IsolatedNode extends NodeBase {
  kind: 'isolated'
  input: IdNode
}

/** A subquery's projection (with DISTINCT and LIMIT/OFFSET); runs isolated only. */
export interface ProjectNode extends NodeBase {
  kind: 'project'
  input: IdNode
  keep: number[]
  distinct: boolean
  offset: number
  limit: number
}

export type IdNode = PatternNode | ValuesNode | GroupNode | UnionNode | ClosureNode | FilterNode | ExtendNode | OptionalNode | MinusNode | AggregateNode | IsolatedNode | ProjectNode

export interface Island {
  body: IdNode
  width: number
  /** Variable key of each slot ('' for a hidden slot: a path's intermediate node). */
  names: string[]
  constants: RDF.Term[]
  /** Under GRAPH ?g: the graph variable's slot (patterns then range over the named graphs). */
  graph: number | undefined
  /** Holds isolated members: a seeded run (EXISTS) is left to the term level, which passes the seed into them. */
  isolated: boolean
  /** Slots of the projected variables; undefined: every named slot. */
  project: number[] | undefined
  distinct: boolean
  offset: number
  limit: number
}
