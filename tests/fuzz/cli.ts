/**
 * `npm run fuzz -- --seconds N [--target T] [--seed S]`: runs each target (or one)
 * for N seconds and prints, per target, the inputs tried, how they ended, and the
 * crashes, hangs and partial applies; each failing input is printed after the table.
 * Exits 1 if there was any failure.
 */
import { parseArgs } from 'node:util'
import { fuzz, type Stats, type Target } from './harness.js'
import { TARGET_NAMES, makeTarget, type TargetName } from './targets.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, target: { type: 'string', multiple: true }, seed: { type: 'string' } } })
const seconds = Number(values.seconds)
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed)
const names = (values.target ?? [...TARGET_NAMES]) as TargetName[]
for (const n of names) if (!(TARGET_NAMES as readonly string[]).includes(n)) throw new Error(`unknown target ${n} (one of ${TARGET_NAMES.join(', ')})`)

console.log(`seed ${seed}, ${seconds} s per target`)
const all: Stats[] = []
for (const name of names) {
  const target = await makeTarget(name)
  try {
    all.push(await fuzz(target as Target<unknown>, { seed, millis: seconds * 1000 }))
  } finally {
    await target.close?.()
  }
}
const row = (cells: Array<string | number>): string => cells.map((c, i) => i === 0 ? String(c).padEnd(14) : String(c).padStart(9)).join(' ')
console.log(row(['target', 'tried', 'ok', 'coded', 'crashes', 'hangs', 'partial']))
for (const s of all) console.log(row([s.target, s.tried, s.succeeded, s.coded, s.crashes, s.hangs, s.partial]))
const failures = all.flatMap(s => s.failures)
for (const f of failures.slice(0, 20)) console.log(`\n${f.target} ${f.verdict}: ${f.detail}\n  input: ${f.input}`)
process.exitCode = failures.length > 0 ? 1 : 0
// Open handles (a hang's unfinished run) must not keep the process alive.
setTimeout(() => process.exit(), 100).unref()
