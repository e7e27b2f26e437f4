/**
 * Stage 2, algebra: a syntax tree to SPARQL algebra (sparqlalgebrajs), then the
 * optimizer's named passes over it, and the static variable analysis both use.
 *
 * Contract: translation and every pass are pure functions: a new tree, the input
 * untouched, with the same solutions over every dataset (the differential tests
 * run each query with and without the passes). Passes read the source only for
 * cardinality estimates, which must not scan; they annotate joins but never
 * evaluate anything.
 * Cost: a few walks of the tree per query, plus one estimate per pattern of a
 * BGP left to the term-level evaluator.
 */
export { toAlgebra, whereAsQuery } from './translate.js'
export { passes, optimize, planIgnoresData, type Pass } from './optimizer.js'
export { possibleVariables, certainVariables } from './variables.js'
