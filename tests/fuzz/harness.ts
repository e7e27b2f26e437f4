/**
 * The fuzz loop: inputs drawn from a target's seeded arbitrary, each run under a
 * time limit and judged. An input must end in success or a RhizomeError whose code
 * is in ERROR_CODES; anything else is a crash, a run past the limit a hang, and a
 * failed write that changed the graph's heads a partial apply.
 */
import fc from 'fast-check'
import { ERROR_CODES, RhizomeError } from '../../quad-model/index.js'

export type Verdict = 'ok' | 'coded' | 'crash' | 'hang' | 'partial'

export interface Target<I = unknown> {
  name: string
  inputs: fc.Arbitrary<I>
  /** Runs one input; resolves with 'partial' when a failed write changed the graph. */
  run: (input: I, signal: AbortSignal) => Promise<'ok' | 'partial'>
  /** Shows an input in a failure report. */
  show: (input: I) => string
  close?: () => Promise<void>
}

export interface Failure { target: string, verdict: Verdict, input: string, detail: string }
export interface Stats { target: string, tried: number, succeeded: number, coded: number, crashes: number, hangs: number, partial: number, failures: Failure[] }

export interface FuzzOptions {
  seed: number
  /** Stop after this many inputs … */
  inputs?: number
  /** … or after this many milliseconds, whichever comes first. */
  millis?: number
  /** An input running longer than this is a hang. Default 5,000 ms. */
  hangMs?: number
}

function isCoded (e: unknown): boolean {
  return e instanceof RhizomeError && Object.hasOwn(ERROR_CODES, e.code)
}

export async function fuzz<I> (target: Target<I>, options: FuzzOptions): Promise<Stats> {
  const stats: Stats = { target: target.name, tried: 0, succeeded: 0, coded: 0, crashes: 0, hangs: 0, partial: 0, failures: [] }
  const hangMs = options.hangMs ?? 5000
  const stopAt = options.millis === undefined ? Infinity : Date.now() + options.millis
  const total = options.inputs ?? Infinity
  const batch = 50
  let round = 0
  while (stats.tried < total && Date.now() < stopAt) {
    const inputs = fc.sample(target.inputs, { seed: options.seed + round++ * 7919, numRuns: Math.min(batch, total - stats.tried) })
    for (const input of inputs) {
      if (Date.now() >= stopAt) break
      stats.tried++
      const verdict = await judge(target, input, hangMs)
      if (verdict.verdict === 'ok') { stats.succeeded++; continue }
      if (verdict.verdict === 'coded') { stats.coded++; continue }
      if (verdict.verdict === 'crash') stats.crashes++
      if (verdict.verdict === 'hang') stats.hangs++
      if (verdict.verdict === 'partial') stats.partial++
      stats.failures.push({ target: target.name, verdict: verdict.verdict, input: target.show(input).slice(0, 2000), detail: verdict.detail })
    }
  }
  return stats
}

async function judge<I> (target: Target<I>, input: I, hangMs: number): Promise<{ verdict: Verdict, detail: string }> {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<'hang'>(resolve => { timer = setTimeout(() => resolve('hang'), hangMs) })
  // The signal fires at half the limit: an input that honours it is no hang.
  const soft = setTimeout(() => controller.abort(), hangMs / 2)
  try {
    const r = await Promise.race([target.run(input, controller.signal), hang])
    if (r === 'hang') return { verdict: 'hang', detail: `ran past ${hangMs} ms` }
    return { verdict: r, detail: r === 'partial' ? 'a failed write changed the heads' : '' }
  } catch (e) {
    if (isCoded(e)) return { verdict: 'coded', detail: (e as RhizomeError).code }
    const err = e as { name?: string, message?: string, stack?: string }
    return { verdict: 'crash', detail: `${err?.name ?? typeof e}: ${String(err?.message).slice(0, 300)}\n${(err?.stack ?? '').split('\n').slice(1, 6).join('\n')}` }
  } finally {
    clearTimeout(timer); clearTimeout(soft)
  }
}
