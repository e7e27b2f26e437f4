/**
 * The contract between the benchmark parent and its runner child processes.
 *
 * Each system runs in its own process, so that one store's heap, GC pressure and
 * native caches never colour another's figures. A runner is started as
 * `node [--import tsx] --expose-gc runners/<system>.(ts|js) <task> <json-args>`,
 * runs one task, and reports by writing exactly one line that starts with
 * {@link RESULT_PREFIX} to stdout; everything else it prints is passed on as log.
 * A runner may end by killing itself (the durability tasks do, to prove that what
 * they reported survives a kill), so the result line is the only channel.
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

export const RESULT_PREFIX = '@@rhizome-bench-result '

/** What a task gets: free-form JSON chosen by the parent. */
export type TaskArgs = Record<string, unknown>
/** What a task reports: JSON that the parent files under the system's name. */
export type TaskResult = Record<string, unknown>
export type Task = (args: TaskArgs) => Promise<TaskResult>

/** Writes the result line; resolves once it is flushed, so a self-kill after it cannot lose it. */
export async function emitResult (result: TaskResult): Promise<void> {
  const line = RESULT_PREFIX + JSON.stringify(result) + '\n'
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(line, (err) => { err == null ? resolve() : reject(err) })
  })
}

/**
 * The child's entry point: runs the task named in argv with the JSON args after it,
 * emits its result, and exits. A failing task exits 1 with its error on stderr.
 */
export async function runTask (tasks: Record<string, Task>): Promise<void> {
  const [name, json] = process.argv.slice(2)
  const task = name == null ? undefined : tasks[name]
  if (task == null) {
    process.stderr.write(`unknown task ${String(name)}; known: ${Object.keys(tasks).join(', ')}\n`)
    process.exit(2)
  }
  try {
    const args = JSON.parse(json ?? '{}') as TaskArgs
    await emitResult(await task(args))
    process.exit(0)
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  }
}

export interface MemorySample {
  /** Resident set size: every byte the process holds in RAM (JS heap, native caches, WASM memory). */
  rss: number
  /** Live objects on the V8 heap after a full GC. */
  heapUsed: number
  /** Memory outside the V8 heap owned by JS objects: ArrayBuffers, Buffers, WASM memory. */
  external: number
}

/**
 * Memory after two full collections (the runners start with --expose-gc; without
 * it the figures include garbage and say so by being larger).
 */
export function memorySample (): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc != null) { gc(); gc() }
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}

export interface MemoryUse {
  /** The sample after the store is loaded (or reopened and scanned). */
  after: MemorySample
  /** What the process grew by since the baseline. */
  growth: MemorySample
  /** The growth divided by the quads held. */
  perQuad: MemorySample
}

/** What holding `quads` quads cost the process, between a baseline and a later sample. */
export function memoryUse (before: MemorySample, after: MemorySample, quads: number): MemoryUse {
  const growth = { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, external: after.external - before.external }
  const per = (n: number): number => quads > 0 ? Math.round(n / quads) : NaN
  return { after, growth, perQuad: { rss: per(growth.rss), heapUsed: per(growth.heapUsed), external: per(growth.external) } }
}

/** Total size in bytes of the files under a folder. */
export async function folderBytes (dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += await folderBytes(path)
    else if (entry.isFile()) total += (await stat(path)).size
  }
  return total
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function since (start: number): number {
  return performance.now() - start
}

/** A string argument the parent must pass. */
export function stringArg (args: TaskArgs, name: string): string {
  const value = args[name]
  if (typeof value !== 'string') throw new Error(`task argument ${name} must be a string`)
  return value
}

/** A store open for single writes, as the durable-commits task drives it. */
export interface WriteTarget {
  /** Writes the i-th small write and resolves when the store reports it done. */
  write: (i: number) => Promise<void>
  close: () => Promise<void>
  /** Reported with the result (what `verify` needs to find the database again). */
  details?: TaskResult
}

async function timeWrites (target: WriteTarget, writes: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < writes; i++) await target.write(i)
  return performance.now() - start
}

/**
 * The durable-commits task, the same for every system: `warmup` writes into a throwaway
 * store at PATH-warmup (their rate is the cold-process figure), then `writes` writes into
 * a fresh store at PATH, timed, then a SIGKILL without closing; the parent counts in a
 * fresh process what survived (each runner's `verify`).
 */
export async function durableCommits (args: TaskArgs, open: (path: string) => Promise<WriteTarget>): Promise<TaskResult> {
  const path = stringArg(args, 'path')
  const writes = numberArg(args, 'writes')
  const warmup = numberArg(args, 'warmup')
  let coldCommitsPerSecond: number | undefined
  if (warmup > 0) {
    await rm(`${path}-warmup`, { recursive: true, force: true })
    const warm = await open(`${path}-warmup`)
    coldCommitsPerSecond = warmup / await timeWrites(warm, warmup) * 1000
    await warm.close()
    await rm(`${path}-warmup`, { recursive: true, force: true })
  }
  await rm(path, { recursive: true, force: true })
  const setupStart = performance.now()
  const target = await open(path)
  const setupMs = since(setupStart)
  const ms = await timeWrites(target, writes)
  await emitResult({ writes, ms, commitsPerSecond: writes / ms * 1000, coldCommitsPerSecond, setupMs, ...target.details })
  process.kill(process.pid, 'SIGKILL')
  return {}
}

/** A number argument the parent must pass. */
export function numberArg (args: TaskArgs, name: string): number {
  const value = args[name]
  if (typeof value !== 'number') throw new Error(`task argument ${name} must be a number`)
  return value
}
