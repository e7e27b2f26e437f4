/**
 * `rhizome export-car`, `merge` and `clone`: a database's commits as a CAR file,
 * merging one in, and starting a new replica from one, so folders can be brought
 * together by hand. A CAR's blocks are verified like any peer's before anything
 * is applied.
 */
import { createWriteStream } from 'node:fs'
import { readFile, rename, rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import { decodeVerified, InvalidCarError, isCid, manifestRoot, openGraph, readCar, type CarSource } from '../../index.js'
import { databaseFolder, folderExists, withGraph } from '../database.js'
import { InputFileError } from '../errors.js'
import { print, writeAll } from '../output.js'
import { cloneFromPeers } from './network.js'
import { counted } from '../counts.js'
import { multiaddrList } from '../arguments.js'
import { positiveInteger } from '../sparql-text.js'

export function registerCar (program: Command): void {
  program.command('export-car')
    .description("write the database's commits to a CAR file, rooted at the current heads")
    .argument('<file>', 'the CAR file to write, or - for stdout')
    .action(async (file: string, _options: unknown, command: Command) => {
      if (file === '-' && process.stdout.isTTY === true) command.error('a CAR file is binary: redirect stdout to a file or a pipe (rhizome export-car - > db.car), or name the file', { exitCode: 2, code: 'rhizome.binaryToTerminal' })
      await withGraph(command, async (graph, signal) => {
        if (file === '-') return await writeAll(graph.exportCar({ signal }))
        await writeFileAtomically(file, graph.exportCar({ signal }))
      })
    })

  program.command('merge')
    .description('merge the commits of a CAR file (from rhizome export-car) into the database')
    .argument('<file>', 'the CAR file to read, or - for standard input')
    .action(async (file: string, _options: unknown, command: Command) => {
      const car = await readCarFile(file)
      await withGraph(command, async (graph, signal) => {
        const result = await graph.mergeCar(car.bytes, { signal })
        print(`merged ${counted(result.applied, 'commit')}`)
        for (const head of result.heads) print(`head ${head.toString()}`)
      })
    })

  program.command('clone')
    .description('create, in the --db folder, a new replica of the database in a CAR file, or at ADDRESS or /ipns/NAME on --peer, and print its address')
    .argument('<file>', 'the CAR file (from rhizome export-car), or - for standard input; with --peer, the database address or a name (/ipns/k51…)')
    .option('--peer <multiaddr>', 'clone over the network from this peer (repeatable); <file> is then the address', multiaddrList)
    .option('--psk <file>', 'with --peer: a libp2p private-network key file')
    .option('--timeout <ms>', 'with --peer: how long to wait for a peer to answer for the database (default 20000)', positiveInteger)
    .action(async (file: string, options: { peer?: string[], psk?: string, timeout?: number }, command: Command) => {
      const folder = databaseFolder(command)
      if (options.peer !== undefined) return await cloneFromPeers(folder, file, options)
      if (file.startsWith('/ipns/') || file.startsWith('ipns://')) command.error(`clone ${file} needs --peer: a peer to resolve the name through (an availability peer or the publisher)`, { exitCode: 2, code: 'rhizome.peerRequired' })
      const car = await readCarFile(file)
      const address = await addressOf(car, file)
      folderExists(folder)
      const graph = await openGraph({ path: folder, address, fetch: car.fetch, create: { exclusive: true } })
      try {
        await graph.merge(car.roots.filter(root => root.toString() !== address), { fetch: car.fetch })
        print(graph.address)
      } finally {
        await graph.close()
      }
    })
}

/**
 * The database a CAR belongs to: its manifest root (rhizome export-car puts the
 * manifest first), else the `db` of its first commit.
 */
async function addressOf (car: CarSource, file: string): Promise<string> {
  const manifest = await manifestRoot(car)
  if (manifest !== undefined) return manifest.toString()
  const root = car.roots[0]
  const bytes = root === undefined ? undefined : await car.fetch.get(root)
  if (root === undefined || bytes === undefined) throw new InputFileError(file, 'holds no commits, so it does not say which database it is')
  const db = (decodeVerified(root, bytes).value as { db?: unknown }).db
  if (!isCid(db)) throw new InputFileError(file, `its root ${root.toString()} is not a commit`)
  return db.toString()
}

/** The CAR file read and checked before the database is opened; its bytes kept for a merge through the live channel. */
async function readCarFile (file: string): Promise<CarSource & { bytes: Uint8Array }> {
  const bytes = await readInput(file)
  try {
    return { ...await readCar(bytes), bytes }
  } catch (err) {
    if (err instanceof InvalidCarError) throw new InputFileError(file, err.message, { cause: err })
    throw err
  }
}

async function readInput (file: string): Promise<Uint8Array> {
  try {
    return file === '-' ? await buffer(process.stdin) : await readFile(file)
  } catch (err) {
    throw new InputFileError(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message, { cause: err })
  }
}

/** Writes beside the target and renames, so a failed export never leaves half a file. */
async function writeFileAtomically (file: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`
  try {
    await pipeline(Readable.from(chunks), createWriteStream(temp, { flags: 'wx' }))
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
