#!/usr/bin/env node
/**
 * The browser build: esbuild bundles an entry (browser/index.ts by default) to one ES
 * module for browsers. Node-only code is kept out by two rules, the build's only
 * injection points:
 *   - a module X.ts with a sibling X.browser.ts is replaced by it (as a package's
 *     "browser" field does): the SQLite backend, the worker import, the identity file
 *     and Ed25519 through OpenSSL have browser twins or stubs that fail with
 *     ERR_UNSUPPORTED_PLATFORM;
 *   - the few Node builtins that modules shared with Node import (node:crypto's hashes
 *     and random bytes, node:module's createRequire for sparqljs and N3, node:stream
 *     for RDF input) resolve to browser/shims/, which give the same calls with web APIs;
 *     the global Buffer is the `buffer` package (injected).
 * Any other Node builtin reached from the entry fails the build (`nodeBuiltinsReached`
 * lists them from the metafile; tests/browser/build.test.ts fails on any). And a package
 * version npm installed at several places is bundled once (packageCopies).
 *
 *   node scripts/browser-build.mjs [OUTDIR]    writes OUTDIR/rhizome.js (default dist/browser)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Node builtins the shared modules use, and their browser shims. */
const SHIMS = {
  'node:crypto': 'browser/shims/crypto.ts',
  'node:module': 'browser/shims/module.ts',
  'node:stream': 'browser/shims/stream.ts',
  'node:fs': 'browser/shims/fs.ts',
  'node:fs/promises': 'browser/shims/fs.ts',
  'node:zlib': 'browser/shims/zlib.ts',
  'node:url': 'browser/shims/url.ts'
}

/** Packages whose exports list "import" before "browser", so esbuild would pick their Node build. */
const PACKAGE_ALIASES = {
  '@ipld/car': 'node_modules/@ipld/car/src/index-browser.js'
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map(m => `node:${m}`)])

/**
 * One copy of each package version. npm nests a copy of a package under each dependant
 * when the top level holds another version of it (protons-runtime 7 under nine libp2p
 * packages, beside Rhizome's own 8), and a bundler would include every copy. A file of
 * a nested copy is taken from the copy of the same name and version nearest the top
 * (shortest path, then first in order): the same code, once. `copies` maps each package
 * root found under node_modules to that canonical root.
 */
function packageCopies (top = join(root, 'node_modules')) {
  const byVersion = new Map()
  const walk = (folder) => {
    if (!existsSync(folder)) return
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue
      const names = entry.name.startsWith('@') ? readdirSync(join(folder, entry.name)).map(n => `${entry.name}/${n}`) : [entry.name]
      for (const name of names) {
        const at = join(folder, name)
        try {
          const { version } = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'))
          const key = `${name}@${version}`
          byVersion.set(key, [...(byVersion.get(key) ?? []), at])
        } catch {}
        walk(join(at, 'node_modules'))
      }
    }
  }
  walk(top)
  const copies = new Map()
  for (const roots of byVersion.values()) {
    const canonical = [...roots].sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0]
    for (const at of roots) copies.set(at, canonical)
  }
  return copies
}

let installed
const installedCopies = () => (installed ??= packageCopies())

/** The package root a file inside node_modules belongs to (its last node_modules/NAME or node_modules/@SCOPE/NAME). */
function packageRootOf (file) {
  const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)
  return match?.[1]
}

/** The esbuild plugin of the two rules above; `shims: false` leaves builtins unresolved (to see what reaches them). */
export function browserPlugin ({ shims = true } = {}) {
  return {
    name: 'rhizome-browser',
    setup (build) {
      const copies = installedCopies()
      build.onResolve({ filter: /^@ipld\/car$/ }, args => ({ path: join(root, PACKAGE_ALIASES[args.path]) }))
      build.onResolve({ filter: /^\.\.?\// }, args => {
        if (!args.path.endsWith('.js') || args.importer === '' || args.importer.includes('node_modules')) return undefined
        const target = resolve(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'))
        return existsSync(target) ? { path: target } : undefined
      })
      build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, async args => {
        if (!BUILTINS.has(args.path) || args.pluginData?.plain === true) return undefined
        const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`
        // Rhizome names builtins node:x; a bare name there ('buffer') is the package.
        if (!args.importer.includes('node_modules') && args.path.startsWith('node:')) {
          if (shims && SHIMS[name] !== undefined) return { path: join(root, SHIMS[name]) }
          return { path: args.path, external: true }
        }
        // A package's own way first: its "browser" field, or a package of that name (buffer, events).
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { plain: true } })
        if (found.errors.length === 0 && !found.external && found.path.startsWith('/')) return { path: found.path, namespace: found.namespace, sideEffects: found.sideEffects }
        return { path: args.path, external: true }
      })
      // A package imported from a package: its canonical copy (packageCopies).
      build.onResolve({ filter: /^[^./]/ }, async args => {
        if (args.pluginData?.plain === true || !args.importer.includes('node_modules')) return undefined
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { plain: true } })
        const at = found.errors.length === 0 && !found.external ? packageRootOf(found.path) : undefined
        const canonical = at === undefined ? undefined : copies.get(at)
        if (canonical === undefined || canonical === at) return undefined
        return { path: canonical + found.path.slice(at.length), namespace: found.namespace, sideEffects: found.sideEffects }
      })
    }
  }
}

/** Options shared by the library build and the test bundles. */
export function browserOptions (entryPoints, extra = {}) {
  return {
    entryPoints,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    define: { 'process.env.NODE_DEBUG': 'undefined', global: 'globalThis' },
    plugins: [browserPlugin()],
    inject: [join(root, 'browser/shims/buffer.ts')],
    metafile: true,
    logLevel: 'silent',
    ...extra
  }
}

/** Node builtins left in a build's output (its metafile): none may be. */
export function nodeBuiltinsReached (metafile) {
  const found = new Set()
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (BUILTINS.has(imp.path) || imp.path.startsWith('node:')) found.add(imp.path)
  }
  return [...found].sort()
}

/** Builds the library for browsers into `outdir`; returns the sizes and what Node builtins it reached. */
export async function buildBrowser (outdir = join(root, 'dist', 'browser'), entry = join(root, 'browser', 'index.ts')) {
  const result = await esbuild.build(browserOptions([entry], { outfile: join(outdir, 'rhizome.js'), minify: true, write: false, sourcemap: false }))
  const code = result.outputFiles[0].contents
  await mkdir(outdir, { recursive: true })
  await writeFile(join(outdir, 'rhizome.js'), code)
  return { bytes: code.length, gzipped: gzipSync(code, { level: 9 }).length, builtins: nodeBuiltinsReached(result.metafile), metafile: result.metafile }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ?? join(root, 'dist', 'browser')
  const { bytes, gzipped, builtins } = await buildBrowser(resolve(outdir))
  process.stdout.write(`${join(outdir, 'rhizome.js')}: ${bytes} bytes minified, ${gzipped} gzipped\n`)
  if (builtins.length > 0) {
    process.stderr.write(`Node builtins reached from the browser entry: ${builtins.join(', ')}\n`)
    process.exit(1)
  }
}
