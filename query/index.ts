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
export {
  executeQuery, toArray, solutionToRecord,
  type QueryOptions, type QueryResult, type BindingsResult, type BooleanResult, type QuadsResult, type Solution,
  executeUpdate, type UpdateOptions, type UpdateSummary,
  loadFile, parseRdfByExtension
} from './eval/index.js'
export { parseSparql, parseQuery, parseUpdate } from './parse/index.js'
export { passes as optimizerPasses } from './algebra/index.js'
export { writeResultsJson, writeResultsXml, writeResultsCsv, writeResultsTsv, termToNTriples, writeQuads, type RdfFormat } from './results/index.js'
export {
  QueryError, SparqlSyntaxError, SparqlUnsupportedError, QueryAbortedError, QueryTimeoutError,
  ResultLimitError, UpdateError, LoadError, ResultsFormatError,
  type QueryErrorCode, type TextPosition
} from './errors.js'
