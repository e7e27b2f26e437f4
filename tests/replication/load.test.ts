/**
 * The load test, short: bench/load.ts with two writer processes and one reader for a few
 * seconds, all replicating over loopback libp2p. What it proves here is only that no
 * replica diverges (the same heads and quads at the end); its figures belong to
 * `npm run bench:load`, which runs for minutes.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { finished } from '../cli/run.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('load', () => {
  it('writer processes committing while a reader queries: every replica ends with the same heads and quads', { timeout: 180_000 }, async () => {
    const results = mkdtempSync(join(tmpdir(), 'rhizome-load-results-'))
    try {
      const result = await finished(spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', '--writers', '2', '--readers', '1', '--seconds', '3', '--settle', '90', '--results', results], { cwd: root, stdio: 'pipe' }))
      const line = result.stdout.split('\n').find(l => l.startsWith('{"event":"load"'))
      expect(line, result.stderr).toBeDefined()
      const figures = JSON.parse(line as string) as { diverged: boolean, quads: number, queries: number }
      expect(figures.diverged).toBe(false)
      expect(figures.quads).toBeGreaterThan(0)
      expect(figures.queries).toBeGreaterThan(0)
      expect(result.code).toBe(0)
    } finally {
      rmSync(results, { recursive: true, force: true })
    }
  })
})
