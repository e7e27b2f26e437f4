/**
 * Command-line options shared by every benchmark entry point (`core.ts`, `run.ts`).
 * A full run is what the README quotes; `--quick` is a smoke test that finishes in
 * about a minute (LUBM(1), few writes, one repetition).
 */
import { parseArgs } from 'node:util'

export interface BenchOptions {
  quick: boolean
  /** LUBM scale: 1, 5 or 50. Default 5, or 1 with --quick. */
  scale: number
  /** Single-quad commits per durability run. Default 2,000, or 300 with --quick. */
  writes: number
  /** Commits into a throwaway database in the same process before each timed run (the cold figure). Default: as many as `writes`. */
  warmup: number
  /** Runs of every measurement; the tables show the median. Default 3, or 1 with --quick. */
  repeat: number
  /** Only these systems (ids such as rhizome, oxigraph); default all. */
  only: string[] | undefined
  /** Keep the databases written under bench/.data instead of deleting them at the end. */
  keep: boolean
  /** Where to write the JSON results; default bench/results/ (a --quick run: bench/.data/results/). */
  resultsDir: string | undefined
  /** Each child process is killed after this long. Default 300 s. */
  timeoutMs: number
}

export const usage = `options:
  --quick            LUBM(1), 300 writes, 1 run: a fast check (results go to bench/.data/results/)
  --scale N          LUBM scale, 1, 5 or 50 (default 5)
  --writes N         single-quad commits per durability run (default 2000)
  --warmup N         commits into a throwaway database first, in the same process (default: as --writes; 0: none)
  --repeat N         runs per measurement; tables show the median (default 3)
  --only a,b         only these systems: rhizome, oxigraph, n3, n3-parse, quadstore, orbitdb
  --results DIR      where to write the JSON results (default bench/results)
  --keep             keep the databases under bench/.data/core
  --timeout S        kill a child process after S seconds (default 300)
  --help`

/** Parses argv (without node and the script); throws with a usage line on bad input. */
export function parseBenchOptions (argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'string' },
      writes: { type: 'string' },
      repeat: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      results: { type: 'string' },
      keep: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  })
  if (values.help) return 'help'
  const quick = values.quick
  return {
    quick,
    scale: positive('scale', values.scale, quick ? 1 : 5),
    writes: positive('writes', values.writes, quick ? 300 : 2_000),
    warmup: values.warmup === '0' ? 0 : positive('warmup', values.warmup, positive('writes', values.writes, quick ? 300 : 2_000)),
    repeat: positive('repeat', values.repeat, quick ? 1 : 3),
    only: values.only?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    keep: values.keep,
    resultsDir: values.results,
    timeoutMs: positive('timeout', values.timeout, 300) * 1000
  }
}

function positive (name: string, value: string | undefined, fallback: number): number {
  if (value == null) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${value}`)
  return n
}

/** The flags of a script whose options are numbers besides --quick, --results DIR and --help. */
export interface NumericFlags {
  quick: boolean
  results: string | undefined
  /** The number given as --`name`, or `fallback`. */
  number: (name: string, fallback: number) => number
}

/** Parses such a script's argv; prints `usage` and exits on --help (0) or on a bad option (2). */
export function numericFlags (argv: string[], names: string[], usage: string): NumericFlags {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(names.map(name => [name, { type: 'string' as const }])),
        quick: { type: 'boolean', default: false },
        results: { type: 'string' },
        help: { type: 'boolean', default: false }
      },
      strict: true
    }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`)
    process.exit(2)
  }
  if (values.help === true) {
    console.log(usage)
    process.exit(0)
  }
  return {
    quick: values.quick === true,
    results: values.results as string | undefined,
    number: (name, fallback) => values[name] === undefined ? fallback : Number(values[name])
  }
}
