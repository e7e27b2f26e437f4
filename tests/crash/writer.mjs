// The process the crash test kills. Usage: node writer.mjs FOLDER SEED STEPS MODE
// Creates a database in FOLDER and performs workload(SEED), printing on stdout
//   ready ADDRESS        once the database exists
//   begin N              just before write N (1-based) is called, its input ready
//   done N HEAD          after write N's commit has returned
// A line is written only after what it reports has happened.
import { openGraph, parseRdf } from '../../dist/index.js'
import { workload } from './workload.mjs'

const [folder, seed, steps, mode] = process.argv.slice(2)
const say = line => process.stdout.write(line + '\n')

const graph = await openGraph({ path: folder })
say(`ready ${graph.address}`)

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
    say(`begin ${n}`)
    result = await graph.import(text, { format: 'nquads' })
  } else {
    const change = { delete: await quadsOf(step.remove), insert: await quadsOf(step.add) }
    say(`begin ${n}`)
    result = await graph.update(change)
  }
  if (result.head === undefined) throw new Error(`write ${n} made no commit`)
  say(`done ${n} ${result.head}`)
}
await graph.close()
say('finished')
