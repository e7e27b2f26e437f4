/**
 * Rhizome's SPARQL 1.1 engine: parse (sparqljs + the static checks it misses),
 * translate (sparqlalgebrajs), optimize (named passes in planner.ts), evaluate
 * lazily against a QuadSource (source.ts) that the store implements. query/ never
 * imports the store. Updates are computed fully, then committed once.
 *
 * Two evaluators share the work. Over a source with id access (IdAccess: the
 * store, MemorySource) the id-level engine (id-*.ts) runs what it covers, most
 * of a typical query, on integer term ids in batches, ordering joins at run time;
 * the term-level evaluator (evaluate.ts) runs the rest on RDF/JS terms, asking
 * the id-level engine first for every operator it meets.
 */
export type { QuadPattern, QuadSource, IdAccess, UpdateTarget, QuadChange, DocumentLoader } from './source.js'
export { MemorySource } from './memory-source.js'
export {
  executeQuery, toArray, solutionToRecord,
  type QueryOptions, type QueryResult, type BindingsResult, type BooleanResult, type QuadsResult, type Solution
} from './execute.js'
export { executeUpdate, type UpdateOptions, type UpdateSummary } from './update.js'
export { parseSparql, parseQuery, parseUpdate } from './parse.js'
export { passes as optimizerPasses } from './planner.js'
export { loadFile, parseRdf } from './load-file.js'
export { writeResultsJson } from './results-json.js'
export { writeResultsXml } from './results-xml.js'
export { writeResultsCsv, writeResultsTsv, termToNTriples } from './results-csv.js'
export { writeQuads, type RdfFormat } from './results-rdf.js'
export {
  QueryError, SparqlSyntaxError, SparqlUnsupportedError, QueryAbortedError, QueryTimeoutError,
  ResultLimitError, UpdateError, LoadError, ResultsFormatError,
  type QueryErrorCode, type TextPosition
} from './errors.js'
