/**
 * The shape of query/: its rooms follow the engine's stages, each entered from
 * outside only through its index.ts, imports pointing down the stages, and no
 * import circle among its files (type-only imports count: they are circles a
 * reader has to untangle all the same).
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const queryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../query')
/** The rooms, highest first: a room may import only the rooms after it. */
const stages = ['results', 'eval', 'ids', 'algebra', 'expr', 'parse']

function sourceFiles (dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name), prefix + e.name + '/') : e.name.endsWith('.ts') ? [prefix + e.name] : [])
}

/** The query/ files `file` imports (relative specifiers only), as paths under query/. */
function importsOf (file: string): string[] {
  const text = readFileSync(path.join(queryRoot, file), 'utf8')
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map(m => m[1]!)
  return specs.map(s => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'))
    .filter(p => !p.startsWith('..'))
}

const roomOf = (file: string): string => file.includes('/') ? file.split('/')[0]! : ''
const files = sourceFiles(queryRoot)
const graph = new Map(files.map(f => [f, importsOf(f)]))

describe('query/ layout', () => {
  it('has a room for each stage, and only those', () => {
    expect([...new Set(files.map(roomOf).filter(r => r !== ''))].sort()).toEqual([...stages].sort())
  })

  it('enters a room from outside only through its index.ts', () => {
    const past = [...graph].flatMap(([from, targets]) => targets
      .filter(t => roomOf(t) !== '' && roomOf(t) !== roomOf(from) && t !== roomOf(t) + '/index.ts')
      .map(t => `${from} -> ${t}`))
    expect(past).toEqual([])
  })

  it('imports point down the stages; shared files and rooms never import upward or the layer entry', () => {
    const up = [...graph].flatMap(([from, targets]) => targets.filter(t => {
      if (t === 'index.ts') return true
      const a = roomOf(from)
      const b = roomOf(t)
      if (b === '' || a === b) return false
      if (a === '') return from !== 'index.ts'
      return stages.indexOf(b) <= stages.indexOf(a)
    }).map(t => `${from} -> ${t}`))
    expect(up).toEqual([])
  })

  it('has no import circle', () => {
    const state = new Map<string, 'open' | 'done'>()
    const circles: string[] = []
    const visit = (f: string, trail: string[]): void => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') { circles.push([...trail.slice(trail.indexOf(f)), f].join(' > ')); return }
      state.set(f, 'open')
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f])
      state.set(f, 'done')
    }
    for (const f of files) visit(f, [])
    expect(circles).toEqual([])
  })

  it('keeps files to a few hundred lines', () => {
    const long = files.filter(f => readFileSync(path.join(queryRoot, f), 'utf8').split('\n').length > 400)
    expect(long).toEqual([])
  })
})
