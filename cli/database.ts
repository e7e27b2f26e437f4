/**
 * The database folder a command works on, and opening the database in it.
 *
 * Every command but init and id needs a database that already exists, so it opens
 * with `create: false`: a mistyped --db never makes a new, empty database. A folder
 * that does not exist is reported without touching the disk.
 */
import { accessSync, constants, statSync } from 'node:fs'
import type { Command } from 'commander'
import { openGraph, ReadOnlyError, RhizomeError, type Graph } from '../index.js'
import { InputFileError, NoDatabaseError } from './errors.js'
import { interrupt } from './interrupt.js'
import { connectLive, type CliGraph } from './live/index.js'

export type { CliGraph } from './live/index.js'

export interface GlobalOptions {
  db: string
  verbose?: boolean
  readOnly?: boolean
}

/** The --db folder (which commander defaults to $RHIZOME_DB, then ./.rhizome). */
export function databaseFolder (command: Command): string {
  return command.optsWithGlobals<GlobalOptions>().db
}

/** Throws unless `folder` is missing or a directory; returns whether it exists. */
export function folderExists (folder: string): boolean {
  const stat = statSync(folder, { throwIfNoEntry: false })
  if (stat === undefined) return false
  if (!stat.isDirectory()) throw new InputFileError(folder, 'not a folder (--db names the database folder)')
  return true
}

/**
 * Whether the command opens its database read-only: asked with --read-only, or the
 * folder is one this user cannot write (then queries and exports still work).
 */
export function readOnlyWanted (command: Command, folder: string): boolean {
  if (command.optsWithGlobals<GlobalOptions>().readOnly === true) return true
  try {
    accessSync(folder, constants.W_OK)
    return false
  } catch {
    return folderExists(folder)
  }
}

/** Opens the database in `folder`, which must exist. */
export async function openExisting (folder: string, signal?: AbortSignal, readOnly = false): Promise<Graph> {
  if (!folderExists(folder)) throw new NoDatabaseError(folder)
  try {
    return await openGraph({ path: folder, create: false, readOnly, signal })
  } catch (err) {
    if (err instanceof RhizomeError && err.code === 'ERR_NO_DATABASE') throw new NoDatabaseError(folder, { cause: err })
    throw err
  }
}

/**
 * Runs `fn` on the command's database and closes it after, whatever happens. Ctrl-C
 * aborts the operation through `signal` (interrupt.ts; a commit is atomic, so nothing
 * half-done is left). When `rhizome serve` or `rhizome pin` holds the database, `fn`
 * gets it through that process (live/): reads see its current state, and its writes
 * are committed and replicated there.
 */
export async function withGraph<T> (command: Command, fn: (graph: CliGraph, signal: AbortSignal) => Promise<T>): Promise<T> {
  const folder = databaseFolder(command)
  const readOnly = readOnlyWanted(command, folder)
  const graph = await openHere(folder, readOnly, async err => {
    const live = await connectLive(folder, interrupt.signal)
    return live === undefined ? err : readOnly ? readOnlyLive(live) : live
  })
  return await using(graph, fn)
}

/** A live graph whose writes are refused here, for a --read-only command on a folder a server holds. */
function readOnlyLive (graph: CliGraph): CliGraph {
  const refuse = (what: string) => async () => { throw new ReadOnlyError(what) }
  return Object.assign(Object.create(graph) as CliGraph, {
    update: refuse('an update'),
    import: refuse('an import'),
    mergeCar: refuse('a merge'),
    addFile: refuse('adding a file')
  })
}

/** Like withGraph, for commands that need the database in this process (to replicate it). */
export async function withLocalGraph<T> (command: Command, fn: (graph: Graph, signal: AbortSignal) => Promise<T>): Promise<T> {
  const folder = databaseFolder(command)
  const graph = await openHere<never>(folder, readOnlyWanted(command, folder), async err => await connectLive(folder, interrupt.signal) === undefined
    ? err
    : new RhizomeError('ERR_DATABASE_LOCKED', `the database in ${folder} is held by a running rhizome serve or pin, which replicates it already; stop it to run ${command.name()}`, { cause: err }))
  return await using(graph, fn)
}

/**
 * Opens the folder's database in this process; when another process holds it,
 * `held` says what to use instead (a live graph) or which error to throw.
 */
async function openHere<G> (folder: string, readOnly: boolean, held: (err: RhizomeError) => Promise<G | RhizomeError>): Promise<Graph | G> {
  try {
    return await openExisting(folder, interrupt.signal, readOnly)
  } catch (err) {
    if (!(err instanceof RhizomeError && err.code === 'ERR_DATABASE_LOCKED')) throw err
    const instead = await held(err)
    if (instead instanceof RhizomeError) throw instead
    return instead
  }
}

/** Runs `fn` on `graph` with the command's signal and closes the graph after, whatever happens. */
async function using<G extends CliGraph, T> (graph: G, fn: (graph: G, signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await fn(graph, interrupt.signal)
  } finally {
    await graph.close()
  }
}
