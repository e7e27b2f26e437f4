/** `--help` of every bench:* script prints its options and runs nothing (no log line, no child, exit 0 at once). */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { finished } from './run.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('bench scripts', () => {
  it.each([
    ['bench', ['--import', 'tsx', 'bench/run.ts']],
    ['bench:core', ['--import', 'tsx', 'bench/core.ts']],
    ['bench:query', ['--import', 'tsx', 'bench/query.ts']],
    ['bench:sync', ['--import', 'tsx', 'bench/sync.ts']],
    ['bench:startup', ['--import', 'tsx', 'bench/startup.ts']],
    ['bench:load', ['--import', 'tsx', 'bench/load.ts']],
    ['bench:hostile-peer', ['--import', 'tsx', 'bench/hostile-peer.ts']],
    ['bench:http', ['--import', 'tsx', 'bench/http.ts']],
    ['bench:pin', ['--import', 'tsx', 'bench/pin-many.ts']],
    ['bench:naming', ['--import', 'tsx', 'bench/naming.ts']]
  ])('%s --help prints its options and runs nothing', { timeout: 60_000 }, async (_name, args) => {
    const result = await finished(spawn(process.execPath, [...args, '--help'], { cwd: root, stdio: 'pipe' }))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^options:\n/)
    expect(result.stdout).toContain('--help')
  })

  it('an unknown option is refused with the options, exit 2', { timeout: 60_000 }, async () => {
    for (const args of [['--import', 'tsx', 'bench/sync.ts'], ['--import', 'tsx', 'bench/http.ts'], ['--import', 'tsx', 'bench/core.ts']]) {
      const result = await finished(spawn(process.execPath, [...args, '--no-such-option'], { cwd: root, stdio: 'pipe' }))
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toContain('options:')
    }
  })
})
