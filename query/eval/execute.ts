/**
 * executeQuery: parse → algebra → optimize (named passes, optional) → a typed,
 * lazy result. Nothing is scanned until the caller iterates (ASK excepted: its
 * answer is the result). Each iteration re-runs the query; NOW() is fixed per run.
 */
import type * as RDF from '@rdfjs/types'
import { Algebra } from 'sparqlalgebrajs'
import type { QuadSource } from '../source.js'
import type { FederationOptions } from '../federation.js'
import { type Dataset, type EvalContext, abortError, checkSignal } from '../context.js'
import { parseQuery } from '../parse/index.js'
import { toAlgebra, optimize, planIgnoresData } from '../algebra/index.js'
import { evaluate } from './evaluate.js'
import { nowLiteral } from '../expr/index.js'
import { QueryAbortedError, QueryError, QueryInternalError, QueryTimeoutError, QueryTooDeepError, ResultLimitError } from '../errors.js'
import { RhizomeError } from '../../quad-model/index.js'
import { type QueryLimits, checkAlgebraDepth, isStackOverflow, resolveLimits } from '../limits.js'
import { instantiateTemplate, describe } from './construct.js'
import { Solutions } from '../ids/index.js'

import type { Solution } from '../solutions.js'
export type { Solution }

export interface BindingsResult extends AsyncIterable<Solution> {
  type: 'bindings'
  /** The projected variables, in SELECT order. */
  variables: RDF.Variable[]
}
export interface BooleanResult { type: 'boolean', value: boolean }
export interface QuadsResult extends AsyncIterable<RDF.Quad> { type: 'quads' }
export type QueryResult = BindingsResult | BooleanResult | QuadsResult

export interface QueryOptions {
  signal?: AbortSignal
  /** Base IRI for relative IRIs in the query text. */
  baseIRI?: string
  /** Extra prefixes, as if declared in the query. */
  prefixes?: Record<string, string>
  /** Default false: the default graph is the store's default graph. True: the union of all graphs. */
  defaultGraphAsUnion?: boolean
  /** Abort with QueryTimeoutError after this many milliseconds (default: none). */
  timeoutMs?: number
  /** Fail with ResultLimitError beyond this many results (default: none). */
  limit?: number
  /** Default true. False runs the algebra as translated (for differential tests and debugging). */
  optimize?: boolean
  /** The endpoints SERVICE may call, and the limits of each call. Default: none (SERVICE fails with ERR_SERVICE_FORBIDDEN). */
  federation?: FederationOptions
  /** Size and depth limits of the text (query/limits.ts, docs/LIMITS.md); each absent one has its default. */
  limits?: QueryLimits
}

let runCounter = 0

/** Builds the evaluation context shared by queries and update WHERE clauses. */
export function createContext (source: QuadSource, signal: AbortSignal | undefined, options: {
  baseIRI?: string | undefined, dataset?: Dataset, optimize?: boolean, timeoutMs?: number | undefined, federation?: FederationOptions
}): EvalContext {
  return {
    federation: options.federation,
    source,
    signal,
    timeoutMs: options.timeoutMs,
    dataset: options.dataset ?? { defaultGraphs: 'store', namedGraphs: 'store' },
    activeGraph: undefined,
    baseIRI: options.baseIRI,
    now: nowLiteral(),
    optimize: options.optimize ?? true,
    seed: undefined,
    shared: { steps: 0, deadline: options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : undefined, bnodeCounter: 0, bnodePrefix: `b${(runCounter++).toString(36)}_`, bnodeScopes: new WeakMap(), scanFilters: new WeakMap() }
  }
}

function combinedSignal (options: QueryOptions): AbortSignal | undefined {
  const signals: AbortSignal[] = []
  if (options.signal !== undefined) signals.push(options.signal)
  if (options.timeoutMs !== undefined) {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new QueryTimeoutError(options.timeoutMs!)), options.timeoutMs)
    timer.unref?.()
    signals.push(controller.signal)
  }
  if (signals.length === 0) return undefined
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals)
}

interface Prepared {
  base: string | undefined
  algebra: Algebra.Operation
  /** The optimized plan where it does not depend on the data (over a source with id access, mostly). */
  planned?: Algebra.Operation
}

/**
 * Parsed queries by text and parse options, most recent last: a query run again
 * skips parsing and translation (and, over a source with id access, planning).
 */
const prepared = new Map<string, Prepared>()
const PREPARED_LIMIT = 256

function prepareQuery (text: string, options: QueryOptions, limits: Required<QueryLimits>, signal: AbortSignal | undefined, deadline: number | undefined): Prepared {
  // The limits are part of the key: a text admitted under raised limits is not under the defaults.
  const key = `${options.baseIRI ?? ''}\u0000${options.prefixes === undefined ? '' : JSON.stringify(options.prefixes)}\u0000${JSON.stringify(limits)}\u0000${text}`
  let p = prepared.get(key)
  if (p !== undefined) {
    prepared.delete(key)
    prepared.set(key, p)
    return p
  }
  const ast = parseQuery(text, { baseIRI: options.baseIRI, prefixes: options.prefixes, limits, signal, deadline, timeoutMs: options.timeoutMs })
  const algebra = toAlgebra(ast, text)
  checkAlgebraDepth(algebra, limits)
  p = { base: ast.base, algebra }
  prepared.set(key, p)
  if (prepared.size > PREPARED_LIMIT) prepared.delete(prepared.keys().next().value as string)
  return p
}

/**
 * Every failure of the engine as a coded RhizomeError: the engine's own pass through,
 * running out of stack is ERR_QUERY_TOO_DEEP, anything else ERR_QUERY_INTERNAL.
 */
export function codedError (e: unknown, maxDepth: number): unknown {
  if (e instanceof RhizomeError) return e
  if (isStackOverflow(e)) return new QueryTooDeepError(maxDepth, { cause: e })
  return new QueryInternalError(e)
}

/** Parses, plans and returns the lazy result of a SPARQL query. */
export async function executeQuery (source: QuadSource, text: string, options: QueryOptions = {}): Promise<QueryResult> {
  const limits = resolveLimits(options.limits)
  try {
    return await runQuery(source, text, options, limits)
  } catch (e) {
    throw codedError(e, limits.maxDepth)
  }
}

async function runQuery (source: QuadSource, text: string, options: QueryOptions, limits: Required<QueryLimits>): Promise<QueryResult> {
  const signal = combinedSignal(options)
  const deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : undefined
  const planning = { signal, timeoutMs: options.timeoutMs, shared: { deadline } } as unknown as EvalContext
  checkSignal(planning)
  const query = prepareQuery(text, options, limits, signal, deadline)
  checkSignal(planning)
  let op = query.algebra
  const useOptimizer = options.optimize ?? true
  if (useOptimizer) {
    if (query.planned !== undefined && source.ids !== undefined) op = query.planned
    else {
      op = await optimize(op, source, () => { checkSignal(planning) })
      if (planIgnoresData(query.algebra, source)) query.planned = op
    }
  }
  const run = (): EvalContext => createContext(source, signal, {
    baseIRI: query.base ?? options.baseIRI,
    optimize: useOptimizer,
    timeoutMs: options.timeoutMs,
    federation: options.federation,
    dataset: { defaultGraphs: options.defaultGraphAsUnion === true ? 'union' : 'store', namedGraphs: 'store' }
  })
  const { form, inner } = queryForm(op)
  switch (form.type) {
    case Algebra.types.ASK: {
      const ctx = run()
      checkSignal(ctx)
      for await (const _ of guard(evaluate(inner, ctx), ctx, undefined, limits.maxDepth)) return { type: 'boolean', value: true }
      return { type: 'boolean', value: false }
    }
    case Algebra.types.CONSTRUCT: {
      const template = form.template
      return {
        type: 'quads',
        [Symbol.asyncIterator]: () => {
          const ctx = run()
          return guard(instantiateTemplate(template, evaluate(inner, ctx), ctx), ctx, options.limit, limits.maxDepth)[Symbol.asyncIterator]()
        }
      }
    }
    case Algebra.types.DESCRIBE: {
      const terms = form.terms
      return {
        type: 'quads',
        [Symbol.asyncIterator]: () => {
          const ctx = run()
          return guard(describe(terms, evaluate(inner, ctx), ctx), ctx, options.limit, limits.maxDepth)[Symbol.asyncIterator]()
        }
      }
    }
    default: {
      return {
        type: 'bindings',
        variables: projectedVariables(op),
        [Symbol.asyncIterator]: () => {
          const ctx = run()
          return guard(evaluate(op, ctx), ctx, options.limit, limits.maxDepth)[Symbol.asyncIterator]()
        }
      }
    }
  }
}

/**
 * Splits the query form (ASK, CONSTRUCT, DESCRIBE) from the pattern it runs on.
 * sparqlalgebrajs puts FROM and LIMIT/OFFSET outside the form; they belong to the
 * solution sequence, so they are moved inside.
 */
function queryForm (op: Algebra.Operation): { form: Algebra.Operation, inner: Algebra.Operation } {
  const wrappers: Algebra.Operation[] = []
  let cur = op
  while (cur.type === Algebra.types.FROM || cur.type === Algebra.types.SLICE) { wrappers.push(cur); cur = cur.input }
  if (cur.type !== Algebra.types.ASK && cur.type !== Algebra.types.CONSTRUCT && cur.type !== Algebra.types.DESCRIBE) return { form: op, inner: op }
  let inner: Algebra.Operation = cur.input
  for (let i = wrappers.length - 1; i >= 0; i--) inner = { ...wrappers[i]!, input: inner } as Algebra.Operation
  return { form: cur, inner }
}

function projectedVariables (op: Algebra.Operation): RDF.Variable[] {
  let cur: Algebra.Operation | undefined = op
  while (cur !== undefined) {
    if (cur.type === Algebra.types.PROJECT) return cur.variables
    cur = Array.isArray(cur.input) ? undefined : cur.input
  }
  return []
}

/** Applies the result limit and turns scan aborts into the typed timeout/abort error. */
function guard<T> (it: AsyncIterable<T>, ctx: EvalContext, limit: number | undefined, maxDepth: number): AsyncIterable<T> {
  if (it instanceof Solutions) {
    const batches = it.batches as () => AsyncIterator<T[]>
    return { [Symbol.asyncIterator]: () => new GuardedBatches<T>(batches(), ctx, limit, maxDepth) }
  }
  return guardEach(it, ctx, limit, maxDepth)
}

/**
 * `guard` over solutions that come a batch at a time: each `next` is answered from
 * the batch at hand without an asynchronous step of its own.
 */
class GuardedBatches<T> implements AsyncIterator<T> {
  private batch: T[] = []
  private at = 0
  private count = 0

  constructor (private readonly source: AsyncIterator<T[]>, private readonly ctx: EvalContext, private readonly limit: number | undefined, private readonly maxDepth: number) {}

  next (): Promise<IteratorResult<T>> {
    if (this.at >= this.batch.length) return this.refill()
    try {
      if (this.limit !== undefined && ++this.count > this.limit) throw new ResultLimitError(this.limit)
      checkSignal(this.ctx)
    } catch (e) {
      return this.fail(e)
    }
    return Promise.resolve({ done: false, value: this.batch[this.at++] as T })
  }

  private async refill (): Promise<IteratorResult<T>> {
    try {
      while (this.at >= this.batch.length) {
        const next = await this.source.next()
        if (next.done === true) return { done: true, value: undefined }
        this.batch = next.value
        this.at = 0
      }
    } catch (e) {
      return await this.fail(e)
    }
    return await this.next()
  }

  private async fail (e: unknown): Promise<never> {
    try { await this.source.return?.() } catch {}
    throw guardError(e, this.ctx, this.maxDepth)
  }

  async return (): Promise<IteratorResult<T>> {
    await this.source.return?.()
    return { done: true, value: undefined }
  }
}

function guardError (e: unknown, ctx: EvalContext, maxDepth: number): unknown {
  if (ctx.signal?.aborted === true && (e instanceof QueryAbortedError || !(e instanceof QueryError))) return abortError(ctx.signal, ctx.timeoutMs)
  return codedError(e, maxDepth)
}

async function * guardEach<T> (it: AsyncIterable<T>, ctx: EvalContext, limit: number | undefined, maxDepth: number): AsyncIterable<T> {
  let n = 0
  try {
    for await (const x of it) {
      if (limit !== undefined && ++n > limit) throw new ResultLimitError(limit)
      checkSignal(ctx)
      yield x
    }
  } catch (e) {
    throw guardError(e, ctx, maxDepth)
  }
}

export { toArray, solutionToRecord } from '../solutions.js'
