/**
 * The README's code examples run as written: each block is taken from the README,
 * `'rhizome'` pointed at the build, and run by Node (which strips the types) in a fresh
 * folder. A README change that breaks an example fails here.
 */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'

const root = new URL('../../', import.meta.url)

function example (heading: string): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8')
  const section = readme.slice(readme.indexOf(heading))
  const match = /```ts\n([\s\S]*?)```/.exec(section)
  if (match === null) throw new Error(`the README has no TypeScript block under "${heading}"`)
  return match[1]
}

/** Runs a README block in a fresh folder inside the project (so its other imports resolve), 'rhizome' pointed at the build. */
async function run (code: string): Promise<string> {
  const dir = mkdtempSync(join(root.pathname, '.readme-'))
  try {
    const dist = pathToFileURL(join(root.pathname, 'dist/index.js')).href
    writeFileSync(join(dir, 'example.mts'), code.replace("from 'rhizome'", `from '${dist}'`))
    const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-strip-types', '--no-warnings', 'example.mts'], { cwd: dir, timeout: 30_000 })
    return stdout
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('the README', () => {
  it('"Using it from code" runs as written', async () => {
    const stdout = await run(example('## Using it from code'))
    // The replica ends with the two quads the example leaves (ex:b "0" and ex:a "2").
    expect(stdout.trim().split('\n').at(-1)).toBe('2')
    expect(stdout).toContain('<https://ex.org/b> <https://ex.org/p> "0" .')
  })

  it('"Names" runs as written: a name published, resolved and opened over libp2p', async () => {
    expect((await run(example('### Names'))).trim().split('\n')).toEqual(['k51 0n', 'true 1', 'true 1'])
  })

  it('"With other RDF/JS tools" runs as written: Comunica queries a Graph as its source', async () => {
    expect((await run(example('### With other RDF/JS tools'))).trim()).toBe('https://ex.org/a')
  })
})
