/**
 * `rhizome add FILE` stores a file (UnixFS, as IPFS does) among the database's blocks and
 * prints its ipfs://CID IRI, for quads to name; `rhizome cat IRI` writes a file back out,
 * fetching it from `--peer`s when it is not held locally.
 */
import { createReadStream } from 'node:fs'
import type { Command } from 'commander'
import { databaseFolder, withGraph, withLocalGraph, type CliGraph } from '../database.js'
import { FileBlockMissingError, FileNotOnNetworkError, InputFileError } from '../errors.js'
import { NETWORK_TIMEOUTS, timeoutOption, withNetworkTimeout } from '../timeouts.js'
import { print, writeAll } from '../output.js'
import { ipfsIri, multiaddrList } from '../arguments.js'

export function registerFiles (program: Command): void {
  program.command('add')
    .description('store a file with the database and print its ipfs:// IRI (name it in a quad to share it with the graph)')
    .argument('<file>', 'the file to add, or - for standard input')
    .action(async (file: string, _options: unknown, command: Command) => {
      const input = file === '-' ? process.stdin : createReadStream(file)
      const opened = file === '-' ? Promise.resolve() : new Promise<void>((resolve, reject) => { input.once('open', () => resolve()); input.once('error', reject) })
      try {
        await opened
      } catch (err) {
        throw new InputFileError(file, (err as Error).message, { cause: err })
      }
      await withGraph(command, async (graph, signal) => {
        print(await graph.addFile(input as AsyncIterable<Uint8Array>, { signal }))
      })
    })

  const catCommand = program.command('cat')
  catCommand
    .description('write a file named by an ipfs:// IRI to standard output')
    .argument('<iri>', 'the ipfs://CID IRI (from rhizome add)', ipfsIri)
    .option('--peer <multiaddr>', 'a peer to fetch missing blocks from (repeatable)', multiaddrList)
  timeoutOption(catCommand, 'fetching the file from the --peers', NETWORK_TIMEOUTS.cat)
    .action(async (iri: string, options: { peer?: string[], timeout?: number }, command: Command) => {
      const cat = async (graph: CliGraph, signal: AbortSignal): Promise<void> => {
        try {
          await writeAll(graph.catFile(iri, { signal }))
        } catch (err) {
          // The block store's "not found" names the block only in its message.
          const missing = err instanceof Error && err.name === 'NotFoundError' ? /\b(b[a-z2-7]{20,}|Qm[1-9A-HJ-NP-Za-km-z]{44})\b/.exec(err.message) : null
          if (missing !== null) throw new FileBlockMissingError(missing[1], databaseFolder(command), options.peer ?? [], { cause: err })
          throw err
        }
      }
      // Fetching from peers replicates, which needs the database here; without --peer the
      // command also works through a running serve (live/).
      if (options.peer === undefined) return await withGraph(command, cat)
      const peers = options.peer
      const ms = options.timeout ?? NETWORK_TIMEOUTS.cat
      await withLocalGraph(command, async (graph, signal) => {
        await graph.replicate({ listen: [], peers })
        await withNetworkTimeout(signal, ms, cause => new FileNotOnNetworkError(iri, ms, peers, { cause }), async limited => await cat(graph, limited))
      })
    })
}
