/**
 * Expressions and functions: algebra expressions compiled once per query to
 * closures over a solution, the SPARQL operator semantics on terms (effective
 * boolean value, equality, ordering), the built-in functions, XSD values and
 * casts, and the accumulators of the set functions (COUNT, SUM, …).
 *
 * Contract: evaluation is synchronous and reads only the solution it is given
 * (EXISTS answers are computed by the caller and passed in). A type error is the
 * ExprError sentinel, thrown without a stack and always caught by the operator
 * that gives it a meaning (FILTER false, BIND unbound, an aggregate skipping or
 * unbound); it never escapes the engine. Computed literals get canonical lexical
 * forms; literals read from the source are never rewritten.
 * Cost: compiling walks an expression once; evaluating allocates only its result.
 */
export {
  compileExpression, evaluateFilter, evaluateOrUndefined, existenceExpressions,
  type Compiled, type ExistsResults, type ExpressionEnv
} from './compile.js'
export { ExprError, orderTerms } from './operators.js'
export { nowLiteral } from './functions.js'
export { numericLiteral } from './xsd.js'
export { accumulator, solutionKey, type Accumulator } from './aggregates.js'
