/**
 * Starts one runner task in a child process and collects its result line (see
 * runners/protocol.ts). The parent runs the same way it was started: from
 * TypeScript sources under tsx, the children run the `.ts` runners under tsx too;
 * from `dist/` after `tsc`, they run the compiled `.js` runners with plain node.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { RESULT_PREFIX } from './runners/protocol.js'
import type { TaskArgs, TaskResult } from './runners/protocol.js'

export type RunnerOutcome =
  | { ok: true, result: TaskResult, wallMs: number }
  | { ok: false, error: string, wallMs: number }

export interface SpawnOptions {
  /** The child is killed after this long. */
  timeoutMs: number
  /** The repository root, the children's working directory (where `tsx` resolves). */
  cwd: string
  /** Receives the child's own log lines, prefixed with its name. */
  log: (line: string) => void
}

const fromSources = import.meta.url.endsWith('.ts')

/** Runs `runners/<runner> <task> <args>`; resolves, never rejects. */
export async function runRunner (runner: string, task: string, args: TaskArgs, options: SpawnOptions): Promise<RunnerOutcome> {
  const script = fileURLToPath(new URL(`./runners/${runner}${fromSources ? '.ts' : '.js'}`, import.meta.url))
  const nodeArgs = [...(fromSources ? ['--import', 'tsx'] : []), '--expose-gc', script, task, JSON.stringify(args)]
  const start = performance.now()
  const child = spawn(process.execPath, nodeArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const tag = `[${runner} ${task}]`
  const tail: string[] = []
  let result: TaskResult | undefined
  const onLine = (line: string): void => {
    if (line.startsWith(RESULT_PREFIX)) {
      result = JSON.parse(line.slice(RESULT_PREFIX.length)) as TaskResult
      return
    }
    tail.push(line)
    if (tail.length > 20) tail.shift()
    options.log(`${tag} ${line}`)
  }
  createInterface({ input: child.stdout }).on('line', onLine)
  createInterface({ input: child.stderr }).on('line', onLine)
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
  const exit = await new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
  clearTimeout(timer)
  const wallMs = performance.now() - start
  // A runner that reported and then killed itself (the durability tasks) succeeded.
  if (result != null) return { ok: true, result, wallMs }
  const how = exit.signal != null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}`
  const timedOut = wallMs >= options.timeoutMs ? ` after the ${Math.round(options.timeoutMs / 1000)} s limit` : ''
  const last = tail.filter((l) => l.trim() !== '').slice(-3).join(' | ')
  return { ok: false, error: `${tag} ${how}${timedOut}${last === '' ? '' : `: ${last}`}`, wallMs }
}
