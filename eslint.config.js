/**
 * Lint: neostandard (the standard style, with TypeScript) plus one rule of our own,
 * `rhizome/layers`, which keeps the architecture of docs/ARCHITECTURE.md true:
 *   - imports point down the layers (LAYERS below, highest first): a layer may import
 *     only the layers its entry lists;
 *   - a folder is entered only through its index.ts: from another layer, the layer's
 *     own index.ts; inside a layer, a room (a sub-folder such as store/sqlite/) through
 *     the room's index.ts.
 * Tests, benchmarks and scripts may reach any module (they test internals), so only the
 * index.ts rule is not applied to them; they are not a layer anyone imports.
 */
import neostandard from 'neostandard'
import { dirname, join, normalize, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

/** What each layer may import (besides itself). `index.ts` is the root: the public API. */
const LAYERS = {
  cli: ['index.ts', 'http'],
  http: ['index.ts'],
  examples: ['index.ts'],
  browser: ['index.ts', 'graph', 'query', 'store', 'merkle-clock', 'quad-model'],
  'index.ts': ['graph', 'replication', 'naming', 'query', 'store', 'merkle-clock', 'quad-model'],
  graph: ['replication', 'naming', 'query', 'store', 'merkle-clock', 'quad-model'],
  replication: ['naming', 'store', 'merkle-clock', 'quad-model'],
  naming: ['store', 'merkle-clock', 'quad-model'],
  query: ['quad-model'],
  store: ['merkle-clock', 'quad-model'],
  'merkle-clock': ['quad-model'],
  'quad-model': []
}
const FREE = new Set(['tests', 'bench', 'scripts'])

const layerOf = (file) => file.split('/')[0]

function check (context, node, specifier) {
  if (typeof specifier !== 'string' || !specifier.startsWith('.')) return
  const from = relative(root, context.filename).split(sep).join('/')
  const to = normalize(join(dirname(from), specifier)).split(sep).join('/').replace(/\.js$/, '.ts')
  const source = layerOf(from)
  const target = layerOf(to)
  if (to.startsWith('..')) return context.report({ node, message: `'${specifier}' leaves the project` })
  if (FREE.has(source)) return
  if (source !== target) {
    const allowed = LAYERS[source]
    if (allowed === undefined || LAYERS[target] === undefined) return
    if (!allowed.includes(target)) {
      return context.report({ node, message: `${source} may not import ${target}: imports point down the layers (${source} may use ${allowed.join(', ') || 'nothing'})` })
    }
    if (target !== 'index.ts' && to !== `${target}/index.ts`) {
      return context.report({ node, message: `import ${target} through ${target}/index.ts, not '${specifier}'` })
    }
    return
  }
  // Inside a layer: a room below the common folder is entered through its index.ts.
  const fromDirs = dirname(from).split('/')
  const toParts = to.split('/')
  let common = 0
  while (common < fromDirs.length && common < toParts.length - 1 && fromDirs[common] === toParts[common]) common++
  const below = toParts.slice(common)
  if (below.length > 2 || (below.length === 2 && below[1] !== 'index.ts')) {
    context.report({ node, message: `enter the room ${toParts.slice(0, common + 1).join('/')}/ through its index.ts, not '${specifier}'` })
  }
}

const layers = {
  meta: { type: 'problem', docs: { description: 'imports point down the layers and enter a folder through its index.ts' }, schema: [] },
  create (context) {
    const visit = (node) => check(context, node.source, node.source?.value)
    return {
      ImportDeclaration: visit,
      ExportNamedDeclaration: (node) => { if (node.source != null) visit(node) },
      ExportAllDeclaration: visit,
      ImportExpression: (node) => check(context, node.source, node.source.type === 'Literal' ? node.source.value : undefined)
    }
  }
}

export default [
  { ignores: ['dist/', 'build/', 'node_modules/', 'replication/vendor/', 'tests/fixtures/', 'bench/.data/', 'bench/results/'] },
  ...neostandard({ ts: true }),
  {
    plugins: { rhizome: { rules: { layers } } },
    rules: {
      'rhizome/layers': 'error',
      // `void promise` marks a promise deliberately not awaited (a statement, never a value).
      'no-void': ['error', { allowAsStatement: true }],
      // `for await (const _ of it) { found = true; break }` is how a lazy async iterable is
      // asked whether it has a first item without reading the rest.
      'no-unreachable-loop': 'off',
      // A labelled break leaves nested scans at a LIMIT without a flag per loop.
      'no-labels': ['error', { allowLoop: true }]
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      // A leading underscore names what a signature or destructuring must hold but the code never reads.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }]
    }
  }
]
