/**
 * `rhizome name publish | resolve | list`: key-derived IPNS names for the database's
 * current state (graph.publish, graph.resolve; naming/ and replication/names.ts).
 * Each works on the folder's database, or through the `rhizome serve` that holds it;
 * `--peer` sends (publish) or asks (resolve) over the network from this command itself.
 */
import type { Command } from 'commander'
import { normalizeName, resolveName, RhizomeError, type Graph } from '../../index.js'
import { databaseFolder, folderExists, withGraph, type CliGraph } from '../database.js'
import { LiveGraph } from '../live/index.js'
import { duration, multiaddrList } from '../arguments.js'
import { print, PREFIX } from '../output.js'
import { heldView, publishedView, resolvedView, type HeldView, type PublishedView, type ResolvedView } from '../names.js'
import { NetworkTimeoutError } from '../errors.js'
import { interrupt } from '../interrupt.js'
import { timeoutOption } from '../timeouts.js'
import { counted } from '../counts.js'

interface PublishFlags { lifetime?: number, peer?: string[], timeout?: number }
interface ResolveFlags { peer?: string[], timeout?: number }

/** How long publish --peer waits for a peer to hold the record, and resolve for a record. */
const NAME_TIMEOUT_MS = 10_000

export function registerName (program: Command): void {
  const name = program.command('name').description("key-derived IPNS names that point at the database's current heads")

  timeoutOption(name.command('publish'), 'handing the record to a --peer', NAME_TIMEOUT_MS)
    .description("point LABEL's name (derived from this replica's identity) at the database's current heads; prints the name (k51…) and the record's sequence")
    .argument('<label>', 'the label: the same identity and label give the same name on any machine')
    .option('--lifetime <duration>', 'how long the record stays valid (such as 90m, 24h, 2d; at most 48h)', duration)
    .option('--peer <multiaddr>', 'send the record to this peer (repeatable; an availability peer keeps it) and wait until it holds it', multiaddrList)
    .action(async (label: string, flags: PublishFlags, command: Command) => {
      const view = await withGraph(command, async (graph, signal) => await publish(graph, label, flags, signal))
      print(view.name)
      print(`sequence ${view.sequence}`)
      print(`valid until ${view.validUntil}`)
      print(`root ${view.root}`)
      if (flags.peer !== undefined) process.stderr.write(`${PREFIX}held by ${counted(view.confirmed, 'peer')}\n`)
    })

  timeoutOption(name.command('resolve'), 'the resolve', NAME_TIMEOUT_MS)
    .description('print the database address and heads a name (k51… or /ipns/k51…) points at')
    .argument('<name>', 'the name, as rhizome name publish printed it')
    .option('--peer <multiaddr>', 'ask this peer (repeatable): the publisher or an availability peer', multiaddrList)
    .action(async (text: string, flags: ResolveFlags, command: Command) => {
      const view = await resolve(command, text, flags)
      print(`database ${view.database}`)
      print(`sequence ${view.sequence}`)
      print(`valid until ${view.validUntil}`)
      for (const head of view.heads) print(`head ${head}`)
    })

  name.command('list')
    .description('list the names this replica publishes or follows, with the record held for each')
    .action(async (_flags: unknown, command: Command) => {
      const views = await withGraph(command, async graph => graph instanceof LiveGraph ? await graph.listNames() : (await (graph as Graph).names()).map(heldView))
      if (views.length === 0) process.stderr.write(`${PREFIX}no names: rhizome name publish LABEL makes one\n`)
      for (const view of views) print(listLine(view))
    })
}

async function publish (graph: CliGraph, label: string, flags: PublishFlags, signal: AbortSignal): Promise<PublishedView> {
  const timeout = flags.timeout ?? NAME_TIMEOUT_MS
  const confirm = flags.peer === undefined ? 0 : 1
  if (graph instanceof LiveGraph) return await graph.publishName(label, { lifetime: flags.lifetime, confirm, timeout, signal })
  const local = graph as Graph
  if (flags.peer !== undefined) await local.replicate({ peers: flags.peer, listen: [] })
  const view = publishedView(await local.publish(label, { lifetime: flags.lifetime, confirm, timeout, signal }))
  if (flags.peer !== undefined && view.confirmed === 0) {
    if (signal.aborted) signal.throwIfAborted()
    throw new NetworkTimeoutError(`handing the record of ${view.name} to a peer (it is kept here; rhizome serve sends it on)`, timeout)
  }
  if (flags.peer === undefined) process.stderr.write(`${PREFIX}kept here; rhizome serve (or publish --peer) sends it to peers\n`)
  return view
}

async function resolve (command: Command, text: string, flags: ResolveFlags): Promise<ResolvedView> {
  const signal = interrupt.signal
  const timeout = flags.timeout ?? NAME_TIMEOUT_MS
  await normalizeName(text)
  // Asking peers needs no database of one's own.
  if (flags.peer !== undefined) return resolvedView(await resolveName(text, { peers: flags.peer, listen: [], timeout, signal }))
  const folder = databaseFolder(command)
  if (!folderExists(folder)) throw new RhizomeError('ERR_NAME_NOT_FOUND', `no record for ${text} is held here (no database in ${folder}); ask a peer with --peer`)
  return await withGraph(command, async graph => graph instanceof LiveGraph
    ? await graph.resolveName(text, { timeout, signal })
    : resolvedView(await (graph as Graph).resolve(text, { timeout, signal })))
}

function listLine (view: HeldView): string {
  const parts = [view.name, view.role]
  if (view.label !== undefined) parts.push(`label ${JSON.stringify(view.label)}`)
  if (view.sequence !== undefined) parts.push(`sequence ${view.sequence}`, `valid until ${view.validUntil ?? ''}`)
  else parts.push('no valid record held')
  if (view.database !== undefined) parts.push(`database ${view.database}`)
  return parts.join('  ')
}
