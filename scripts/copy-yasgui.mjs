#!/usr/bin/env node
/**
 * Copies the query page's files (YASGUI's built bundle, stylesheet and license, from the
 * devDependency @triply/yasgui) into D/http/assets, where http/page.ts serves them. The
 * package ships them in dist/ and keeps YASGUI out of its runtime dependencies.
 *
 *   node scripts/copy-yasgui.mjs D
 */
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = process.argv[2]
if (out === undefined) {
  process.stderr.write('usage: node scripts/copy-yasgui.mjs OUTPUT_FOLDER\n')
  process.exit(2)
}
const from = join(root, 'node_modules', '@triply', 'yasgui', 'build')
const to = join(root, out, 'http', 'assets')
await mkdir(to, { recursive: true })
for (const file of ['yasgui.min.js', 'yasgui.min.css', 'yasgui.min.js.LICENSE.txt']) await copyFile(join(from, file), join(to, file))
