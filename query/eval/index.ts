/**
 * Stage 3, evaluation on terms: executeQuery and executeUpdate run the pipeline
 * (parse, algebra, optimize) and evaluate the algebra on RDF/JS terms against a
 * QuadSource, offering every operator to the id-level engine first (ids/).
 *
 * Contract: a query's result is lazy and re-runnable: nothing is scanned until
 * it is iterated (ASK excepted), each iteration runs the query again with its
 * own NOW(), and a consumer that stops pulling stops the scans. The abort signal
 * and timeout are checked as the evaluation goes (QueryAbortedError,
 * QueryTimeoutError). An update request is computed fully against an overlay of
 * the target, then committed once through `UpdateTarget.commit`: atomic, and a
 * failing operation commits nothing. LOAD reads only `file:` IRIs unless the
 * embedder passes a loader.
 * Cost: streaming operators hold one solution; ORDER BY, GROUP BY, MINUS's right
 * side and a hash join's build side hold what they must.
 */
export {
  executeQuery, toArray, solutionToRecord,
  type QueryOptions, type QueryResult, type BindingsResult, type BooleanResult, type QuadsResult, type Solution
} from './execute.js'
export { executeUpdate, type UpdateOptions, type UpdateSummary } from './update.js'
export { loadFile, parseRdfByExtension } from './load-file.js'
