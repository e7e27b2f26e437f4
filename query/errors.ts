/**
 * Errors raised by the SPARQL engine. Callers branch on `code` (a closed set) or on
 * the class, never on message text. Expression-level type errors are not here: they
 * are part of SPARQL semantics (a FILTER becomes false) and never escape the engine.
 */
import { RhizomeError } from '../quad-model/index.js'

export type QueryErrorCode =
  | 'ERR_SPARQL_SYNTAX'
  | 'ERR_SPARQL_UNSUPPORTED'
  | 'ERR_ABORTED'
  | 'ERR_QUERY_TIMEOUT'
  | 'ERR_RESULT_LIMIT'
  | 'ERR_UPDATE_FAILED'
  | 'ERR_LOAD_FAILED'
  | 'ERR_RESULTS_FORMAT'
  | 'ERR_SERVICE_FORBIDDEN'
  | 'ERR_SERVICE_FAILED'
  | 'ERR_QUERY_TOO_LARGE'
  | 'ERR_QUERY_TOO_DEEP'
  | 'ERR_LOAD_FORBIDDEN'
  | 'ERR_QUERY_INTERNAL'

/** Every engine error is a RhizomeError, so callers of the whole database branch on `code` alike. */
export class QueryError extends RhizomeError {
  override name = 'QueryError'
  declare readonly code: QueryErrorCode
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- narrows `code` to the engine's codes
  constructor (code: QueryErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}

/** Position of a problem in the query text, 1-based line and column. */
export interface TextPosition { line: number, column: number }

/** The text is not valid SPARQL (grammar or a static rule such as blank-node label scope). */
export class SparqlSyntaxError extends QueryError {
  override name = 'SparqlSyntaxError'
  constructor (message: string, readonly position?: TextPosition, options?: ErrorOptions) {
    super('ERR_SPARQL_SYNTAX', position !== undefined ? `${message} (line ${position.line}, column ${position.column})` : message, options)
  }
}

/** Valid SPARQL that this engine does not run (SERVICE, entailment). */
export class SparqlUnsupportedError extends QueryError {
  override name = 'SparqlUnsupportedError'
  constructor (readonly feature: string, options?: ErrorOptions) {
    super('ERR_SPARQL_UNSUPPORTED', `unsupported SPARQL feature: ${feature}`, options)
  }
}

/**
 * The caller's signal aborted the work. Its code is every layer's abort code,
 * ERR_ABORTED, so one check (`err.code === 'ERR_ABORTED'`) catches an abort anywhere.
 */
export class QueryAbortedError extends QueryError {
  override name = 'QueryAbortedError'
  constructor (options?: ErrorOptions) {
    super('ERR_ABORTED', 'query aborted', options)
  }
}

/** The configured `timeoutMs` elapsed. */
export class QueryTimeoutError extends QueryError {
  override name = 'QueryTimeoutError'
  constructor (readonly timeoutMs: number, options?: ErrorOptions) {
    super('ERR_QUERY_TIMEOUT', `query exceeded its time limit of ${timeoutMs} ms`, options)
  }
}

/** More results (or intermediate solutions) than the configured `limit`. */
export class ResultLimitError extends QueryError {
  override name = 'ResultLimitError'
  constructor (readonly limit: number, options?: ErrorOptions) {
    super('ERR_RESULT_LIMIT', `query produced more than ${limit} results`, options)
  }
}

/** An update request could not be applied; nothing was committed. */
export class UpdateError extends QueryError {
  override name = 'UpdateError'
  constructor (message: string, options?: ErrorOptions) {
    super('ERR_UPDATE_FAILED', message, options)
  }
}

/** LOAD could not read or parse its document. */
export class LoadError extends QueryError {
  override name = 'LoadError'
  constructor (readonly iri: string, message: string, options?: ErrorOptions) {
    super('ERR_LOAD_FAILED', `cannot load <${iri}>: ${message}`, options)
  }
}

/** A result cannot be written in the requested format (e.g. bindings as Turtle). */
export class ResultsFormatError extends QueryError {
  override name = 'ResultsFormatError'
  constructor (message: string, options?: ErrorOptions) {
    super('ERR_RESULTS_FORMAT', message, options)
  }
}

/** A SERVICE clause names an endpoint that QueryOptions.federation does not allow. */
export class ServiceForbiddenError extends QueryError {
  override name = 'ServiceForbiddenError'
  constructor (readonly endpoint: string) {
    super('ERR_SERVICE_FORBIDDEN', `SERVICE <${endpoint}> is not allowed: federation calls only the endpoints the caller allows (QueryOptions.federation.allow; rhizome query --service URL)`)
  }
}

/** A SERVICE endpoint failed: unreachable, an HTTP error, results that are not valid or are too large. */
export class ServiceFailedError extends QueryError {
  override name = 'ServiceFailedError'
  constructor (readonly endpoint: string, reason: string, options?: ErrorOptions) {
    super('ERR_SERVICE_FAILED', `SERVICE <${endpoint}> failed: ${reason}`, options)
  }
}

/** The text, or a part of it, is larger than a limit of `QueryLimits` allows (limits.ts). */
export class QueryTooLargeError extends QueryError {
  override name = 'QueryTooLargeError'
  constructor (readonly limit: 'maxQueryLength' | 'maxTriplePatterns' | 'maxValuesRows', readonly max: number, readonly actual: number, options?: ErrorOptions) {
    super('ERR_QUERY_TOO_LARGE', `the request exceeds ${limit} (${actual} > ${max}); raise it in the query options if it is meant`, options)
  }
}

/** The text nests deeper than `QueryLimits.maxDepth` (limits.ts), or deeper than the engine's stack allows. */
export class QueryTooDeepError extends QueryError {
  override name = 'QueryTooDeepError'
  constructor (readonly max: number, options?: ErrorOptions) {
    super('ERR_QUERY_TOO_DEEP', `the request nests deeper than maxDepth (${max})`, options)
  }
}

/** LOAD of a file: IRI outside the folders the caller allowed (none by default). */
export class LoadForbiddenError extends QueryError {
  override name = 'LoadForbiddenError'
  constructor (readonly iri: string, options?: ErrorOptions) {
    super('ERR_LOAD_FORBIDDEN', `LOAD <${iri}> is not allowed: local files are read only from folders the caller allows (allowFiles, --allow-file)`, options)
  }
}

/** Anything the engine threw that is not a RhizomeError: a bug, kept as the cause. */
export class QueryInternalError extends QueryError {
  override name = 'QueryInternalError'
  constructor (cause: unknown) {
    super('ERR_QUERY_INTERNAL', `the query engine failed: ${cause instanceof Error ? cause.name : typeof cause}`, { cause })
  }
}
