/**
 * Runs the real, built `rhizome` bin (dist/cli/main.js, built by `npm test` before
 * vitest starts) in a child process and waits for it to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

export interface Result {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Uint8Array
  cwd?: string
  env?: Record<string, string | undefined>
}

/** The environment children run in: $RHIZOME_DB of whoever runs the tests must not leak in. */
function childEnv (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RHIZOME_DB: undefined, ...extra }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  return env
}

export function spawnRhizome (args: string[], options: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: 'pipe' })
}

export async function rhizome (args: string[], options: RunOptions = {}): Promise<Result> {
  const child = spawnRhizome(args, options)
  return await finished(child, options.input)
}

/** Collects a child's output until it exits. */
export async function finished (child: ChildProcess, input?: string | Uint8Array): Promise<Result> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdin?.on('error', () => {}) // a child that exits before reading its input
  child.stdin?.end(input)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  return { code, stdout, stderr }
}

/** A fresh folder for one test, and its removal. */
export function tempFolder (): { path: string, remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'rhizome-cli-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** `rhizome` bound to one database folder. */
export function onDatabase (db: string): (args: string[], options?: RunOptions) => Promise<Result> {
  return async (args, options) => await rhizome(['--db', db, ...args], options)
}

/** The lines of an output, without the trailing empty one. */
export function lines (text: string): string[] {
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
}

/** Stops a long-running command (serve, pin) with SIGTERM and waits for it to exit. */
export async function stop (child: ChildProcess): Promise<void> {
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** Resolves once `check` (a command run) is true, asking again as soon as it answered; rejects after `ms`. */
export async function until (check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
  }
}
