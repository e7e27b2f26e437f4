/**
 * The benchmark entry points' shared main: parse the options, run each section
 * (core now; query and sync as their issues land), print its table on stdout,
 * progress on stderr, and write each section's figures as JSON and its table as
 * text (`<results>/<name>.json`, `.txt`) for the README.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { repoRoot } from './lubm.js'
import { parseBenchOptions, usage } from './options.js'
import type { BenchOptions } from './options.js'

/** One benchmark: it runs, then renders what it measured as a table. */
export interface Section<Report extends object> {
  /** Names the section and its result file, `<name>.json`. */
  name: string
  run (options: BenchOptions, log: (line: string) => void): Promise<Report>
  render (report: Report): string
  /** Whether any measurement failed; the run then exits 1, after printing and saving what it has. */
  failed (report: Report): boolean
}

/** Runs the sections with the command-line options in `argv`; resolves to the exit code. */
export async function runSections (sections: Array<Section<object>>, argv: string[]): Promise<number> {
  let options: BenchOptions
  try {
    const parsed = parseBenchOptions(argv)
    if (parsed === 'help') {
      process.stdout.write(`${usage}\n`)
      return 0
    }
    options = parsed
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`)
    return 2
  }
  const root = repoRoot()
  const resultsDir = options.resultsDir ?? join(root, 'bench', options.quick ? '.data/results' : 'results')
  const log = (line: string): void => { process.stderr.write(`${line}\n`) }
  let failed = false
  for (const section of sections) {
    try {
      const report = await section.run(options, log)
      const table = section.render(report)
      process.stdout.write(`\n${table}\n`)
      await mkdir(resultsDir, { recursive: true })
      const file = join(resultsDir, section.name)
      await writeFile(`${file}.json`, JSON.stringify(report, null, 2) + '\n')
      await writeFile(`${file}.txt`, `${table}\n`)
      log(`${section.name}: results written to ${relative(process.cwd(), file)}.json and .txt`)
      if (section.failed(report)) failed = true
    } catch (err) {
      failed = true
      log(`${section.name}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return failed ? 1 : 0
}
