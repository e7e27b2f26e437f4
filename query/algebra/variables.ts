/**
 * Static variable analysis of algebra: the variables an operator may bind
 * ("possible") and those it binds in every solution ("certain"). Joins key their
 * hash tables on shared possible variables; the planner pushes a filter only into
 * an operand that certainly binds all the filter's variables.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import { varKey } from '../terms.js'

function patternVars (terms: RDF.Term[], out: Set<string>): void {
  for (const t of terms) {
    const k = varKey(t)
    if (k !== undefined) out.add(k)
    else if (t.termType === 'Quad') patternVars([t.subject, t.predicate, t.object], out)
  }
}

export function possibleVariables (op: Algebra.Operation): Set<string> {
  return variables(op, false)
}

export function certainVariables (op: Algebra.Operation): Set<string> {
  return variables(op, true)
}

function variables (op: Algebra.Operation, certain: boolean): Set<string> {
  const out = new Set<string>()
  switch (op.type) {
    case Algebra.types.BGP:
      for (const p of op.patterns) patternVars([p.subject, p.predicate, p.object], out)
      break
    case Algebra.types.PATH: patternVars([op.subject, op.object], out); break
    case Algebra.types.JOIN:
      for (const i of op.input) for (const v of variables(i, certain)) out.add(v)
      break
    case Algebra.types.LEFT_JOIN:
      for (const v of variables(op.input[0], certain)) out.add(v)
      if (!certain) for (const v of variables(op.input[1], false)) out.add(v)
      break
    case Algebra.types.UNION: {
      const sets = op.input.map(i => variables(i, certain))
      if (certain) {
        for (const v of sets[0] ?? []) if (sets.every(s => s.has(v))) out.add(v)
      } else for (const s of sets) for (const v of s) out.add(v)
      break
    }
    case Algebra.types.MINUS: case Algebra.types.FILTER: case Algebra.types.ORDER_BY:
    case Algebra.types.DISTINCT: case Algebra.types.REDUCED: case Algebra.types.SLICE: case Algebra.types.FROM:
      for (const v of variables(Array.isArray(op.input) ? op.input[0]! : op.input, certain)) out.add(v)
      break
    case Algebra.types.EXTEND:
      for (const v of variables(op.input, certain)) out.add(v)
      if (!certain) out.add(op.variable.value)
      break
    case Algebra.types.GRAPH:
      for (const v of variables(op.input, certain)) out.add(v)
      if (op.name.termType === 'Variable') out.add(op.name.value)
      break
    case Algebra.types.VALUES:
      for (const v of op.variables) {
        if (!certain || op.bindings.every(b => b['?' + v.value] !== undefined || b[v.value] !== undefined)) out.add(v.value)
      }
      break
    case Algebra.types.GROUP:
      for (const v of op.variables) if (!certain) out.add(v.value)
      if (!certain) for (const a of op.aggregates) out.add(a.variable.value)
      break
    case Algebra.types.SERVICE:
      // SILENT may answer with no bindings at all, when the call fails.
      if (!certain || !op.silent) for (const v of variables(op.input, certain)) out.add(v)
      break
    case Algebra.types.PROJECT: {
      const inner = variables(op.input, certain)
      for (const v of op.variables) if (!certain || inner.has(v.value)) out.add(v.value)
      break
    }
    default: break
  }
  return out
}
