/** Small helpers over solutions that callers of the engine use; no engine code behind them. */
import type * as RDF from '@rdfjs/types'

/** A solution: variable name to term. */
export type Solution = ReadonlyMap<string, RDF.Term>

/** Convenience: every solution of a bindings result as an array. */
export async function toArray<T> (it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** A solution as a plain object, variable name to term. */
export function solutionToRecord (s: Solution): Record<string, RDF.Term> {
  return Object.fromEntries(s)
}
