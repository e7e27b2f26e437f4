/**
 * The crash tests' harness: plans a kill from a seed, runs the writer process
 * (writer.mjs) and kills it as planned, and checks what the reopened folder holds.
 *
 * The oracle: with k the last commit whose `done` line reached this process, the
 * store holds exactly the state after commit k or after commit k + 1 (the one in
 * flight), with heads and log to match. That is exact only because the writer waits
 * for each line to be in the kernel's pipe before its next step: a line still queued
 * in the writer's process dies with it, and a writer allowed to run ahead of its
 * reports (as it was until the loaded runs caught it: crash-loaded.test.ts) could hold
 * hundreds of commits past the last line this process read. A store behind k lost a
 * reported commit; one matching no state at all is torn. `check` tells which.
 */
import { spawn } from 'node:child_process'
import { watch, type FSWatcher } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { factory, openGraph, type RDF } from '../../index.js'
import { prng, workload, type Mode } from './workload.mjs'

const WRITER = fileURLToPath(new URL('./writer.mjs', import.meta.url))
export const STEPS = 10
export const BURST_STEPS = 1_500

export interface Plan {
  seed: number
  mode: Mode
  steps: number
  /** The writer's line on whose arrival the kill is armed. */
  trigger: string
  /** Then kill after this many event-loop turns... */
  turns?: number
  /** ...or after this many file-system writes in the folder (the commit reaching disk)... */
  writes?: number
  /**
   * ...or stop reading the writer's output once armed (a test process starved of CPU)
   * and kill after this many file-system writes, or once the folder has been quiet
   * for HOLD_QUIET_MS (the writer waiting on its full pipe).
   */
  hold?: number
  description: string
}

/** How long a held run waits for a write in the folder before it kills. */
const HOLD_QUIET_MS = 300

export function planFor (seed: number): Plan {
  const random = prng(seed * 7919)
  const mode: Mode = seed % 10 === 0 ? 'bulk' : seed % 5 === 2 ? 'burst' : seed % 5 === 4 ? 'merge' : 'mixed'
  const steps = mode === 'burst' ? BURST_STEPS : STEPS
  const shape = { mode, steps }
  // Half the bursts aim at the 1,024th write, which ends the store's first group of
  // small writes by committing it to SQLite and emptying the commit log: killed as
  // those pages reach the disk.
  const aimed = mode === 'burst' && seed % 10 === 2
  const write = aimed ? 1024 : 1 + Math.floor(random() * steps)
  const roll = aimed ? 0 : random()
  if (roll < 0.45) {
    // Inside the commit's transaction, as SQLite writes it to disk.
    const writes = 1 + Math.floor(random() * 40)
    return { seed, ...shape, trigger: `begin ${write}`, writes, description: `at write ${writes} to disk of commit ${write}` }
  }
  if (roll < 0.8) {
    // While the commit is encoded, hashed and signed, or early in its transaction.
    const turns = Math.floor(random() ** 2 * 3000)
    return { seed, ...shape, trigger: `begin ${write}`, turns, description: `${turns} turns into commit ${write}` }
  }
  // Just after a commit was reported: it must survive.
  const turns = Math.floor(random() * 50)
  const trigger = write === 1 ? 'ready' : `done ${write - 1}`
  return { seed, ...shape, trigger, turns, description: `${turns} turns after "${trigger}"` }
}

export interface Killed {
  address: string
  /** The head each `done n` line reported, by n. */
  reported: Map<number, string>
  /** The last commit reported done. */
  last: number
  /** Killed while the folder was being written, before the commit was reported. */
  midWrite: boolean
  /** Whether the kill landed (false: the writer finished first). */
  killed: boolean
}

/** Runs the writer and kills it as planned; resolves once it has exited. */
export async function runAndKill (folder: string, plan: Plan): Promise<Killed> {
  const child = spawn(process.execPath, [WRITER, folder, String(plan.seed), String(plan.steps), plan.mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let partial = ''
  let stderr = ''
  let armed = false
  let killed = false
  let midWrite = false
  let writes = 0
  let quiet: ReturnType<typeof setTimeout> | undefined
  const kill = (): void => {
    if (killed) return
    killed = true
    clearTimeout(quiet)
    child.kill('SIGKILL')
    // A held run reads what the pipe kept only now.
    child.stdout.resume()
  }
  const armQuiet = (): void => {
    clearTimeout(quiet)
    quiet = setTimeout(kill, HOLD_QUIET_MS)
  }
  // inotify reports each write() to the folder's files; events can merge, so this
  // counts at least that many writes. Where watching is unsupported the kill falls
  // back to the next `done` line (a held run: to the quiet folder).
  const limit = plan.writes ?? plan.hold
  let watcher: FSWatcher | undefined
  if (limit !== undefined) {
    try {
      watcher = watch(folder, () => {
        if (!armed || killed) return
        if (++writes >= limit) {
          midWrite = true
          kill()
        } else if (plan.hold !== undefined) {
          armQuiet()
        }
      })
    } catch {}
  }
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      if (killed) continue
      if (armed && line.startsWith('done ') && plan.hold === undefined) kill()
      if (!armed && line.split(' ').slice(0, 2).join(' ') === plan.trigger) {
        armed = true
        if (plan.turns !== undefined) void afterTurns(plan.turns).then(kill)
        if (plan.hold !== undefined) {
          child.stdout.pause()
          armQuiet()
        }
      }
    }
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c, s) => resolve([c, s]))
  })
  clearTimeout(quiet)
  watcher?.close()
  // Killed as planned, or (when the kill came late) finished: anything else is a failure of the writer.
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`the writer failed (${code}): ${stderr}`)
  const address = lines.find(l => l.startsWith('ready '))?.slice('ready '.length)
  if (address === undefined) throw new Error(`the writer never got ready: ${stderr}`)
  const reported = new Map<number, string>()
  for (const line of lines) {
    const [word, n, head] = line.split(' ')
    if (word === 'done') reported.set(Number(n), head)
  }
  const inFlight = plan.trigger.split(' ')[1]
  return {
    address,
    reported,
    last: reported.size,
    midWrite: midWrite && plan.hold === undefined && !lines.includes(`done ${inFlight}`),
    killed: signal === 'SIGKILL'
  }
}

async function afterTurns (turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise(resolve => setImmediate(resolve))
}

export interface State { quads: Set<string>, added: number, removed: number }

/** The quads (as N-Quads lines) and the adds and removes of each commit, after commits 0..upTo. */
export function expectedStates (plan: Plan, upTo: number): State[] {
  const states = [{ quads: new Set<string>(), added: 0, removed: 0 }]
  const quads = new Set<string>()
  for (const step of workload(plan.seed, Math.min(upTo, plan.steps), plan.mode)) {
    for (const line of step.remove) quads.delete(line)
    for (const line of step.add) quads.add(line)
    states.push({ quads: new Set(quads), added: step.add.length, removed: step.remove.length })
  }
  return states
}

function nquad (q: RDF.Quad): string {
  const term = (t: RDF.Term): string => t.termType === 'Literal' ? JSON.stringify(t.value) : `<${t.value}>`
  const graph = q.graph.termType === 'DefaultGraph' ? '' : ` ${term(q.graph)}`
  return `${term(q.subject)} ${term(q.predicate)} ${term(q.object)}${graph} .`
}

export function setsEqual (a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}

/** Which state of the whole run a store's quads are, if any: to say how a failed check failed. */
function whichState (plan: Plan, quads: Set<string>): string {
  const all = expectedStates(plan, plan.steps)
  const at = all.findIndex(s => setsEqual(s.quads, quads))
  return at < 0 ? 'no state of the run (torn)' : `the state after commit ${at}`
}

/**
 * Reopens the folder and checks the oracle (this file's header). Returns which of the
 * two states it holds: 'before' (commit k) or 'after' (commit k + 1).
 */
export async function check (folder: string, plan: Plan, killed: Killed): Promise<'before' | 'after'> {
  const { last, reported } = killed
  const states = expectedStates(plan, last + 1)
  // Opening throws if the store is corrupt: that fails the test too.
  const graph = await openGraph({ path: folder, create: false })
  try {
    expect(graph.address).toBe(killed.address)
    const quads = new Set<string>()
    for await (const q of graph.match()) quads.add(nquad(q))
    const at = last + 1 < states.length && quads.size === states[last + 1].quads.size && !setsEqual(quads, states[last].quads) ? last + 1 : last
    if (!setsEqual(quads, states[at].quads)) {
      expect.fail(`the store holds neither state ${last} nor ${last + 1} but ${whichState(plan, quads)}`)
    }

    // The log holds exactly commits 1..at, newest first, each one's parent the one before.
    const log = await graph.log({ limit: plan.steps + 10 })
    expect(log).toHaveLength(at)
    log.forEach((entry, i) => {
      const n = at - i
      if (reported.has(n)) expect(entry.cid.toString()).toBe(reported.get(n))
      expect(entry.parents.map(String)).toEqual(n === 1 ? [] : [log[i + 1].cid.toString()])
      expect([entry.added, entry.removed]).toEqual([states[n].added, states[n].removed])
    })
    expect((await graph.heads()).map(String)).toEqual(at === 0 ? [] : [log[0].cid.toString()])

    // And the reopened store takes writes.
    await graph.insert([factory.quad(factory.namedNode('http://example.org/after'), factory.namedNode('http://example.org/p'), factory.literal('crash'))])
    expect(await graph.size()).toBe(states[at].quads.size + 1)
    return at === last ? 'before' : 'after'
  } finally {
    await graph.close()
  }
}
