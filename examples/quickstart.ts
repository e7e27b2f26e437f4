/**
 * Rhizome's main job on its embedded default: a persistent database in a local
 * folder. Imports a small Turtle file as one signed commit, closes, reopens, and
 * prints what is stored. Run it with `npm start`; the folder is $RHIZOME_DB or
 * ./.rhizome-quickstart.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { openGraph } from '../index.js'

const folder = process.env.RHIZOME_DB ?? '.rhizome-quickstart'
const data = fileURLToPath(new URL('../../examples/hello.ttl', import.meta.url))

const graph = await openGraph({ path: folder })
console.log(`database ${graph.address}\nwriter   ${graph.writer}`)
const result = await graph.import(readFileSync(data, 'utf8'), { format: 'turtle' })
console.log(`imported ${result.quads} quads from examples/hello.ttl as commit ${String(result.head)}`)
await graph.close()

const reopened = await openGraph({ path: folder })
console.log(`\nreopened: ${await reopened.size()} quads, ${(await reopened.log({ limit: 1_000 })).length} commits, heads ${(await reopened.heads()).join(', ')}\n`)
for await (const chunk of reopened.export({ format: 'turtle', prefixes: { schema: 'https://schema.org/', ex: 'https://example.org/rhizome/' } })) process.stdout.write(chunk)
await reopened.close()
