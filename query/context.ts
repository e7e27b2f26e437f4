/**
 * The state one query evaluation carries: the source, the dataset (FROM / FROM
 * NAMED or the store's own), the active graph, the abort signal, and the
 * per-query constants NOW() and the blank-node counter.
 *
 * Solutions are `Map<variable name, term>`, treated as immutable once yielded:
 * operators copy before extending. Blank nodes of a query pattern behave as
 * variables that are never projected; they are keyed `_:label`, which cannot
 * clash with a variable name.
 */
import type * as RDF from '@rdfjs/types'
import type { QuadSource } from './source.js'
import type { FederationOptions } from './federation.js'
import { QueryAbortedError, QueryTimeoutError } from './errors.js'
import { turnEventLoop } from '../quad-model/index.js'

export type Bindings = Map<string, RDF.Term>

export interface Dataset {
  /** Graphs merged into the default graph, or 'store' for the store's default graph, or 'union' for all graphs. */
  defaultGraphs: RDF.Term[] | 'store' | 'union'
  /** Graphs visible to GRAPH, or 'store' for every named graph of the store. */
  namedGraphs: RDF.Term[] | 'store'
}

export interface EvalContext {
  readonly source: QuadSource
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number | undefined
  readonly dataset: Dataset
  /** undefined = the dataset's default graph; otherwise a named graph. */
  readonly activeGraph: RDF.Term | undefined
  readonly baseIRI: string | undefined
  readonly now: RDF.Literal
  readonly optimize: boolean
  /** Solution every leaf starts from (EXISTS substitution, index nested-loop joins). */
  readonly seed: Bindings | undefined
  /** The endpoints SERVICE may call; undefined: none (eval/service.ts). */
  readonly federation?: FederationOptions
  readonly shared: SharedState
}

export interface SharedState {
  bnodeCounter: number
  readonly bnodePrefix: string
  /** Work counter for `pace`. */
  steps: number
  /** Epoch milliseconds after which the query fails with QueryTimeoutError. */
  readonly deadline: number | undefined
  /** Per-solution BNODE(str) memory, so equal strings give one blank node per solution. */
  readonly bnodeScopes: WeakMap<Bindings, Map<string, RDF.BlankNode>>
  /** Compiled pushed-down filters per BGP node (a BGP may run once per left solution). */
  readonly scanFilters: WeakMap<object, Array<{ vars: string[], test: (b: Bindings) => boolean }>>
}

export function withContext (ctx: EvalContext, change: Partial<EvalContext>): EvalContext {
  return { ...ctx, ...change }
}

/** Throws the typed error for an aborted signal or a passed deadline; called where the data flows. */
export function checkSignal (ctx: EvalContext): void {
  const signal = ctx.signal
  if (signal?.aborted === true) throw abortError(signal, ctx.timeoutMs)
  if (ctx.shared.deadline !== undefined && Date.now() > ctx.shared.deadline) throw new QueryTimeoutError(ctx.timeoutMs ?? 0)
}

/**
 * Called once per scanned quad. Promise chains over in-memory data never return to
 * the event loop, so timers (and thus AbortSignal.timeout or a caller's abort)
 * would never fire: every 4096 steps we check the signal and deadline and yield
 * one macrotask turn.
 */
export function pace (ctx: EvalContext): Promise<void> | undefined {
  // Synchronous fast path: no promise is created for 4095 of 4096 steps.
  if ((++ctx.shared.steps & 4095) !== 0) return undefined
  return yieldTurn(ctx)
}

async function yieldTurn (ctx: EvalContext): Promise<void> {
  checkSignal(ctx)
  await turnEventLoop()
  checkSignal(ctx)
}

export function abortError (signal: AbortSignal, timeoutMs: number | undefined): Error {
  const reason: unknown = signal.reason
  if (reason instanceof QueryTimeoutError) return reason
  if (timeoutMs !== undefined && reason instanceof DOMException && reason.name === 'TimeoutError') return new QueryTimeoutError(timeoutMs, { cause: reason })
  return new QueryAbortedError({ cause: reason })
}

export function emptyBindings (): Bindings { return new Map() }

/** Merges two compatible solutions; undefined when a shared variable differs. */
export function mergeBindings (a: Bindings, b: Bindings): Bindings | undefined {
  if (a.size === 0) return b
  if (b.size === 0) return a
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  let out: Bindings | undefined
  for (const [k, v] of small) {
    const other = large.get(k)
    if (other === undefined) {
      out ??= new Map(large)
      out.set(k, v)
    } else if (!other.equals(v)) return undefined
  }
  return out ?? large
}

export function compatible (a: Bindings, b: Bindings): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  for (const [k, v] of small) {
    const other = large.get(k)
    if (other !== undefined && !other.equals(v)) return false
  }
  return true
}
