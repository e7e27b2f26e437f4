/**
 * The part of vitest's API the backend compliance suite uses (describe, it, expect with
 * toEqual, toBe, toBeUndefined and rejects.toThrow), for running it inside a browser
 * page: cases are collected, then `runCollected` runs them in order and reports each.
 * Bundled in place of 'vitest' by tests/browser/chromium.ts; never run under vitest.
 */
interface Case { name: string, fn: () => unknown }
export interface CaseResult { name: string, ok: boolean, error?: string, ms: number }

const cases: Case[] = []
const path: string[] = []

export function describe (name: string, body: () => void): void {
  path.push(name)
  try { body() } finally { path.pop() }
}

export function it (name: string, fn: () => unknown, _timeout?: number): void {
  cases.push({ name: [...path, name].join(' > '), fn })
}

export async function runCollected (): Promise<CaseResult[]> {
  const results: CaseResult[] = []
  for (const c of cases) {
    const start = performance.now()
    try {
      await c.fn()
      results.push({ name: c.name, ok: true, ms: performance.now() - start })
    } catch (err) {
      results.push({ name: c.name, ok: false, error: String((err as Error)?.stack ?? err), ms: performance.now() - start })
    }
  }
  return results
}

function equal (a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false
    const x = a as unknown as ArrayLike<number>; const y = b as unknown as ArrayLike<number>
    return x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]))
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => equal(v, (b as unknown[])[i]))
  // As vitest's toEqual: properties holding undefined count as absent.
  const keys = (o: object): string[] => Object.keys(o).filter(k => (o as Record<string, unknown>)[k] !== undefined).sort()
  const ka = keys(a); const kb = keys(b)
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

const show = (v: unknown): string => {
  try { return JSON.stringify(v, (_k, x: unknown) => ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x) } catch { return String(v) }
}

function fail (message: string): never { throw new Error(message) }

export function expect (actual: unknown): {
  toEqual: (expected: unknown) => void
  toBe: (expected: unknown) => void
  toBeUndefined: () => void
  rejects: { toThrow: (message?: string) => Promise<void> }
} {
  return {
    toEqual: expected => { if (!equal(actual, expected)) fail(`expected ${show(actual)} to equal ${show(expected)}`) },
    toBe: expected => { if (!Object.is(actual, expected)) fail(`expected ${show(actual)} to be ${show(expected)}`) },
    toBeUndefined: () => { if (actual !== undefined) fail(`expected ${show(actual)} to be undefined`) },
    rejects: {
      toThrow: async message => {
        try {
          await actual
        } catch (err) {
          if (message !== undefined && !String((err as Error)?.message).includes(message)) fail(`expected the error "${String((err as Error)?.message)}" to include "${message}"`)
          return
        }
        fail('expected a rejection')
      }
    }
  }
}
