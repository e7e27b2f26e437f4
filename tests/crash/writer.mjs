// The process the crash test kills. Usage: node writer.mjs FOLDER SEED STEPS MODE
// Creates a database in FOLDER and performs workload(SEED), printing on stdout
//   ready ADDRESS        once the database exists
//   begin N              just before write N (1-based) is called, its input ready
//   done N HEAD          after write N's commit has returned
// In mode 'merge' a second replica, in memory, makes each commit and the one in
// FOLDER merges it (graph.merge, fetching from the other): `begin` comes before the
// merge, `done` after it returned.
// A line is written only after what it reports has happened, and the next step waits
// until the line is in the kernel's pipe: a SIGKILL loses what Node still queues in the
// process, so a writer that ran ahead of its reports (its reader slow, the pipe full)
// would hold commits that were done but never reported, and the test could not tell
// how far it got. Waiting keeps it at most one write past its last delivered report.
import { generateKeyPair, openGraph, parseRdf, writerId } from '../../dist/index.js'
import { workload } from './workload.mjs'

const [folder, seed, steps, mode] = process.argv.slice(2)
const say = line => new Promise((resolve, reject) => process.stdout.write(line + '\n', err => err == null ? resolve() : reject(err)))

const merging = mode === 'merge'
const author = generateKeyPair()
const graph = await openGraph({ path: folder, create: merging ? { writers: [writerId(author.publicKey)] } : undefined })
// Where the commits are made: this folder's graph, or (merging) the replica in memory.
const source = merging ? await openGraph({ identity: author, address: graph.address, fetch: graph.blocks }) : graph
await say(`ready ${graph.address}`)

async function quadsOf (lines) {
  const quads = []
  for await (const quad of parseRdf(lines.join('\n'), { format: 'nquads' })) quads.push(quad)
  return quads
}

let n = 0
for (const step of workload(Number(seed), Number(steps), mode)) {
  n++
  let result
  if (step.kind === 'import') {
    // An import may write to the store while it parses (into one transaction), so
    // its commit begins with the call.
    const text = step.add.join('\n')
    if (!merging) await say(`begin ${n}`)
    result = await source.import(text, { format: 'nquads' })
  } else {
    const change = { delete: await quadsOf(step.remove), insert: await quadsOf(step.add) }
    if (!merging) await say(`begin ${n}`)
    result = await source.update(change)
  }
  if (result.head === undefined) throw new Error(`write ${n} made no commit`)
  if (merging) {
    await say(`begin ${n}`)
    const { applied } = await graph.merge([result.head], { fetch: source.blocks })
    if (applied !== 1) throw new Error(`merge ${n} applied ${applied} commits`)
  }
  await say(`done ${n} ${result.head}`)
}
if (merging) await source.close()
await graph.close()
await say('finished')
