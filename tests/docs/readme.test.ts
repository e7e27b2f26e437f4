/**
 * The README's "Using it from code" example runs as written: its block is taken from the
 * README, `'rhizome'` pointed at the build, and run by Node (which strips the types) in a
 * fresh folder. A README change that breaks the example fails here.
 */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const root = new URL('../../', import.meta.url)

function example (): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8')
  const section = readme.slice(readme.indexOf('## Using it from code'))
  const match = /```ts\n([\s\S]*?)```/.exec(section)
  if (match === null) throw new Error('the README has no TypeScript block under "Using it from code"')
  return match[1]
}

describe('the README', () => {
  it('"Using it from code" runs as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rhizome-readme-'))
    try {
      const dist = pathToFileURL(join(root.pathname, 'dist/index.js')).href
      const code = example().replace("from 'rhizome'", `from '${dist}'`)
      writeFileSync(join(dir, 'example.mts'), code)
      const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-strip-types', '--no-warnings', 'example.mts'], { cwd: dir, timeout: 30_000 })
      // The replica ends with the two quads the example leaves (ex:b "0" and ex:a "2").
      expect(stdout.trim().split('\n').at(-1)).toBe('2')
      expect(stdout).toContain('<https://ex.org/b> <https://ex.org/p> "0" .')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
