// Holds the database in the folder argv[2] open, as a long-running process would,
// until its stdin closes. Prints "ready" once the folder is held.
import { openGraph } from '../../dist/index.js'

const graph = await openGraph({ path: process.argv[2], create: false })
process.stdout.write('ready\n')
process.stdin.resume()
process.stdin.on('end', () => {
  graph.close().then(() => process.stdout.write('closed\n'), err => {
    process.stderr.write(String(err) + '\n')
    process.exitCode = 1
  })
})
