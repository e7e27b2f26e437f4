/**
 * Rhizome's SPARQL 1.1 engine, the layer's public entry. query/ never imports the
 * store: it declares the QuadSource it evaluates against (source.ts), which the
 * store implements. Updates are computed fully, then committed once.
 *
 * The stages, each a room imported only through its index.ts, imports pointing
 * down this list:
 *   results/  SPARQL Results JSON, XML, CSV, TSV and RDF writers of a result
 *   eval/     executeQuery and executeUpdate; the term-level evaluator on RDF/JS terms
 *   ids/      the id-level engine: what it covers, on integer term ids in batches
 *   algebra/  syntax tree to algebra, and the optimizer's named passes
 *   expr/     expressions compiled to closures, operators, built-in functions, XSD
 *   parse/    sparqljs and the static checks it misses
 * and beneath them the files every stage shares: source.ts (the interface to
 * storage), memory-source.ts (its reference implementation), context.ts (one
 * evaluation's state and solutions), terms.ts (factory, vocabulary, term keys),
 * errors.ts.
 *
 * Two evaluators share the work. Over a source with id access (IdAccess: the
 * store, MemorySource) the id-level engine runs what it covers, most of a typical
 * query, ordering joins at run time; the term-level evaluator runs the rest,
 * asking the id-level engine first for every operator it meets.
 */
export type { QuadPattern, QuadSource, IdAccess, UpdateTarget, QuadChange, DocumentLoader } from './source.js'
export { MemorySource } from './memory-source.js'
import type { QuadSource, UpdateTarget } from './source.js'
import type { QueryOptions, QueryResult, UpdateOptions, UpdateSummary } from './eval/index.js'

// The evaluator (eval/, with the algebra and its library, ~100 ms to load) is imported
// on the first query or update, not when a program imports Rhizome; its types cost
// nothing. The stages' own entries are reached through their rooms by the layer's tests.
export type {
  QueryOptions, QueryResult, BindingsResult, BooleanResult, QuadsResult, UpdateOptions, UpdateSummary
} from './eval/index.js'
export { toArray, solutionToRecord, type Solution } from './solutions.js'
export type { FederationOptions } from './federation.js'

/** Runs a SPARQL 1.1 query against `source` (eval/execute.ts). */
export async function executeQuery (source: QuadSource, text: string, options: QueryOptions = {}): Promise<QueryResult> {
  const engine = await import('./eval/index.js')
  return await engine.executeQuery(source, text, options)
}

/** Runs a SPARQL 1.1 Update request against `target`: computed whole, then committed once (eval/update.ts). */
export async function executeUpdate (target: UpdateTarget, text: string, options: UpdateOptions = {}): Promise<UpdateSummary> {
  const engine = await import('./eval/index.js')
  return await engine.executeUpdate(target, text, options)
}

export { parseSparql, parseQuery, parseUpdate } from './parse/index.js'
export { writeResultsJson, writeResultsXml, writeResultsCsv, writeResultsTsv, termToNTriples, writeQuads, type RdfFormat } from './results/index.js'
export {
  QueryError, SparqlSyntaxError, SparqlUnsupportedError, QueryAbortedError, QueryTimeoutError,
  ResultLimitError, UpdateError, LoadError, ResultsFormatError, ServiceForbiddenError, ServiceFailedError,
  QueryTooLargeError, QueryTooDeepError, LoadForbiddenError, QueryInternalError,
  type QueryErrorCode, type TextPosition
} from './errors.js'
export { DEFAULT_QUERY_LIMITS, type QueryLimits } from './limits.js'
