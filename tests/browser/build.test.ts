/**
 * The browser build (scripts/browser-build.mjs, entry browser/index.ts) reaches no
 * Node-only module: no Node builtin is left in its output, and none of the modules
 * that need Node (SQLite, the import worker, OpenSSL's Ed25519, libp2p's TCP and mDNS,
 * the verification workers) is in it, while replication over WebSockets is; and no
 * package version is in it twice. The control builds the same entry with the builtin shims off, so the
 * check is seen to find what the shims replace. Runs without Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import * as esbuild from 'esbuild'
// @ts-expect-error -- a plain .mjs script, typed by use
import { browserOptions, browserPlugin, buildBrowser, nodeBuiltinsReached, root } from '../../scripts/browser-build.mjs'

interface Metafile { inputs: Record<string, unknown>, outputs: Record<string, { imports: Array<{ path: string }> }> }

const out = mkdtempSync(join(tmpdir(), 'rhizome-browser-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** Modules that must never be in the browser bundle. */
const NODE_ONLY = [
  'store/sqlite/backend.ts', 'store/bulk-import.ts', 'store/identity.ts', 'quad-model/import-worker.ts',
  'merkle-clock/ed25519.ts', 'replication/transports.ts', 'replication/verify-pool.ts', 'replication/verify-worker.ts',
  'node_modules/@libp2p/tcp', 'node_modules/@libp2p/mdns', 'node_modules/multicast-dns', 'node_modules/@ipld/car/src/indexed-reader.js'
]

describe('the browser build', () => {
  it('reaches no Node builtin and none of the Node-only modules', async () => {
    const { bytes, gzipped, builtins, metafile } = await buildBrowser(out) as { bytes: number, gzipped: number, builtins: string[], metafile: Metafile }
    expect(builtins).toEqual([])
    const inputs = Object.keys(metafile.inputs)
    for (const module of NODE_ONLY) expect(inputs.filter(input => input.startsWith(module))).toEqual([])
    // What it is built for is in it.
    const replication = ['replication/replicator.ts', 'replication/transports.browser.ts', 'replication/verify-pool.browser.ts', 'node_modules/@libp2p/websockets/dist/src/index.js']
    for (const module of ['store/indexeddb/backend.ts', 'merkle-clock/ed25519.browser.ts', 'query/eval/index.ts', 'node_modules/idb/build/index.js', ...replication]) {
      expect(inputs).toContain(module)
    }
    expect(bytes).toBeGreaterThan(gzipped)
    // Each package version once, however many places npm installed it at.
    const roots = new Set(inputs.map(input => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]).filter(r => r !== undefined))
    const versions = [...roots].map(r => `${r.replace(/.*node_modules\//, '')}@${(JSON.parse(readFileSync(join(root as string, r, 'package.json'), 'utf8')) as { version: string }).version}`)
    expect(versions.filter((v, i) => versions.indexOf(v) !== i)).toEqual([])
  })

  it('would be caught reaching one (the control: the same entry without the shims)', async () => {
    const options = browserOptions([join(root as string, 'browser/index.ts')], { write: false, outfile: join(out, 'control.js'), plugins: [browserPlugin({ shims: false })] })
    const result = await esbuild.build(options)
    expect(nodeBuiltinsReached(result.metafile)).toEqual(expect.arrayContaining(['node:crypto', 'node:module']))
  })
})
