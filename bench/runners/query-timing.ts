/**
 * The query benchmark's side of a runner child (bench/query.ts is the parent):
 * reads the LUBM query files, times each query on the system the runner wraps,
 * and reports after every query, so that a child killed in a wedged query still
 * hands back what it measured before.
 *
 * Per query: one warm-up run (timed, kept apart), then up to `repeat` timed runs
 * while they fit in `budgetMs` for the query in all (a 15 s query is not run six
 * times; one that takes more than half the budget keeps its warm-up figure). A run past `timeoutMs` is aborted and ends the query. Every run
 * counts its results; runs that disagree are an error.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchDataDir } from '../lubm.js'
import { emitResult, numberArg, since } from './protocol.js'
import type { TaskArgs, TaskResult } from './protocol.js'

/** Runs one query to its last result; resolves to the number of results. */
export type RunQuery = (text: string, signal: AbortSignal) => Promise<number>

export interface QueryTiming {
  /** Results of the warm-up run (and of every run, or `error` says otherwise). */
  count?: number
  warmupMs?: number
  /** Timed runs after the warm-up, in order. */
  runs: number[]
  /** The median of `runs`, or the warm-up's time when the budget left no timed run. */
  medianMs?: number
  timedOut?: boolean
  error?: string
}

/** The query ids of the benchmark, in order: q01 … q14. */
export const queryIds = Array.from({ length: 14 }, (_, i) => `q${String(i + 1).padStart(2, '0')}`)

/** The text of one of the expanded LUBM queries. */
export function queryText (id: string): string {
  return readFileSync(join(benchDataDir(), 'lubm-queries-expanded', `${id}.rq`), 'utf8')
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

class QueryTimeout extends Error {}

async function timed (runQuery: RunQuery, text: string, timeoutMs: number): Promise<{ ms: number, count: number }> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new QueryTimeout(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)
  const start = performance.now()
  try {
    const count = await Promise.race([
      runQuery(text, controller.signal),
      new Promise<never>((_resolve, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason)))
    ])
    return { ms: since(start), count }
  } finally {
    clearTimeout(timer)
    if (!controller.signal.aborted) controller.abort()
  }
}

/**
 * Times the queries named in `args.queries` (default all), reporting the figures
 * so far after each; `extra` joins every report (load time, for instance).
 */
export async function timeQueries (args: TaskArgs, runQuery: RunQuery, extra: TaskResult = {}): Promise<TaskResult> {
  const ids = Array.isArray(args.queries) ? args.queries as string[] : queryIds
  const repeat = numberArg(args, 'repeat')
  const timeoutMs = numberArg(args, 'timeoutMs')
  const budgetMs = numberArg(args, 'budgetMs')
  const queries: Record<string, QueryTiming> = {}
  for (const id of ids) {
    const text = queryText(id)
    const timing: QueryTiming = { runs: [] }
    queries[id] = timing
    const started = performance.now()
    try {
      const warm = await timed(runQuery, text, timeoutMs)
      timing.warmupMs = warm.ms
      timing.count = warm.count
      while (timing.runs.length < repeat) {
        // Another run only while it fits the budget; the first timed run always, unless the warm-up took half of it.
        const last = timing.runs[timing.runs.length - 1] ?? warm.ms
        const first = timing.runs.length === 0 && warm.ms <= budgetMs / 2
        if (!first && since(started) + last > budgetMs) break
        const r = await timed(runQuery, text, timeoutMs)
        if (r.count !== timing.count) throw new Error(`run gave ${r.count} results, the warm-up ${timing.count}`)
        timing.runs.push(r.ms)
      }
      timing.medianMs = timing.runs.length > 0 ? median(timing.runs) : timing.warmupMs
    } catch (err) {
      if (err instanceof QueryTimeout) timing.timedOut = true
      timing.error = err instanceof Error ? err.message : String(err)
    }
    await emitResult({ ...extra, queries })
  }
  return { ...extra, queries }
}
