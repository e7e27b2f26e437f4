// The process the crash test kills. Usage: node writer.mjs FOLDER SEED STEPS MODE
// Creates a database in FOLDER and performs workload(SEED), printing on stdout
//   ready ADDRESS        once the database exists
//   begin N              just before write N (1-based) is called, its input ready
//   done N HEAD          after write N's commit has returned
// A line is written only after what it reports has happened, and the next step waits
// until the line is in the kernel's pipe: a SIGKILL loses what Node still queues in the
// process, so a writer that ran ahead of its reports (its reader slow, the pipe full)
// would hold commits that were done but never reported, and the test could not tell
// how far it got. Waiting keeps it at most one write past its last delivered report.
import { openGraph, parseRdf } from '../../dist/index.js'
import { workload } from './workload.mjs'

const [folder, seed, steps, mode] = process.argv.slice(2)
const say = line => new Promise((resolve, reject) => process.stdout.write(line + '\n', err => err == null ? resolve() : reject(err)))

const graph = await openGraph({ path: folder })
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
    await say(`begin ${n}`)
    result = await graph.import(text, { format: 'nquads' })
  } else {
    const change = { delete: await quadsOf(step.remove), insert: await quadsOf(step.add) }
    await say(`begin ${n}`)
    result = await graph.update(change)
  }
  if (result.head === undefined) throw new Error(`write ${n} made no commit`)
  await say(`done ${n} ${result.head}`)
}
await graph.close()
await say('finished')
