/**
 * A query result as a response: the media type content negotiation picks for its
 * kind (solutions, a boolean, or a graph) and its body as a stream of text chunks.
 * Solutions and booleans use the engine's streaming writers; graphs rdf-writers.ts.
 */
import {
  writeResultsCsv, writeResultsJson, writeResultsTsv, writeResultsXml,
  type BindingsResult, type BooleanResult, type QueryResult
} from '../index.js'
import { HttpError } from './errors.js'
import { negotiate } from './negotiate.js'
import { GRAPH_MEDIA_TYPES, writeGraph } from './rdf-writers.js'

type SolutionsWriter = (result: BindingsResult | BooleanResult) => AsyncIterable<string>

const csv: SolutionsWriter = r => writeResultsCsv(r as BindingsResult)
const tsv: SolutionsWriter = r => writeResultsTsv(r as BindingsResult)

/** Results media types, the server's preference first; the aliases are what browsers and tools send. */
const SOLUTION_TYPES: Record<string, SolutionsWriter> = {
  'application/sparql-results+json': writeResultsJson,
  'application/sparql-results+xml': writeResultsXml,
  'text/csv': csv,
  'text/tab-separated-values': tsv,
  'application/json': writeResultsJson,
  'application/xml': writeResultsXml,
  'text/xml': writeResultsXml
}
/** CSV and TSV have no form for a boolean (SPARQL 1.1 Results CSV/TSV §2). */
const BOOLEAN_TYPES = Object.keys(SOLUTION_TYPES).filter(t => SOLUTION_TYPES[t] !== csv && SOLUTION_TYPES[t] !== tsv)

export const SOLUTION_MEDIA_TYPES = Object.keys(SOLUTION_TYPES)
export const GRAPH_MEDIA = Object.keys(GRAPH_MEDIA_TYPES)

export interface Body { contentType: string, chunks: AsyncIterable<string> }

/** The media type for a result of this kind, or 406 naming what is offered. */
export function chooseType (kind: QueryResult['type'], accept: string | undefined): string {
  const offers = kind === 'quads' ? GRAPH_MEDIA : kind === 'boolean' ? BOOLEAN_TYPES : SOLUTION_MEDIA_TYPES
  const chosen = negotiate(accept, offers)
  if (chosen === undefined) throw new HttpError('ERR_HTTP_NOT_ACCEPTABLE', `none of the accepted types (${accept ?? ''}) can carry this result; offered: ${offers.join(', ')}`)
  return chosen
}

/**
 * Runs a lazy result up to its first row (or its end) and hands back one that replays
 * that row, then goes on. The response's status is sent only after this, so an error
 * or timeout before the first row (an aggregate, a sort) still gets its status code
 * instead of a cut 200.
 */
export async function started (result: QueryResult): Promise<QueryResult> {
  if (result.type === 'boolean') return result
  const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]()
  const first = await it.next()
  const replay: AsyncIterable<unknown> = {
    [Symbol.asyncIterator]: () => {
      let pending: IteratorResult<unknown> | undefined = first
      return {
        next: async () => {
          if (pending === undefined) return await it.next()
          const r = pending
          pending = undefined
          return r
        },
        return: async () => await (it.return?.() ?? Promise.resolve({ done: true as const, value: undefined }))
      }
    }
  }
  return Object.assign(replay, result.type === 'bindings' ? { type: result.type, variables: result.variables } : { type: result.type }) as QueryResult
}

export function resultBody (result: QueryResult, accept: string | undefined): Body {
  const type = chooseType(result.type, accept)
  const chunks = result.type === 'quads' ? writeGraph(result, GRAPH_MEDIA_TYPES[type]) : SOLUTION_TYPES[type](result)
  // Every format offered is text, written as UTF-8.
  return { contentType: type + '; charset=utf-8', chunks }
}
