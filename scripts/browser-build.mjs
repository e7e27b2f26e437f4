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
 * lists them from the metafile; tests/browser/build.test.ts fails on any).
 *
 *   node scripts/browser-build.mjs [OUTDIR]    writes OUTDIR/rhizome.js (default dist/browser)
 */
import { existsSync } from 'node:fs'
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

/** The esbuild plugin of the two rules above; `shims: false` leaves builtins unresolved (to see what reaches them). */
export function browserPlugin ({ shims = true } = {}) {
  return {
    name: 'rhizome-browser',
    setup (build) {
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
