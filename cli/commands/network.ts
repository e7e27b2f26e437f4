/**
 * Replication from the command line: `rhizome serve` (replicate a database until
 * stopped), `rhizome sync` (catch up once from peers), `rhizome pin` (an availability
 * peer for databases given by address) and the network half of `rhizome clone`
 * (`--peer`). Long-running commands print their multiaddrs, one per line, and stop
 * cleanly on Ctrl-C or SIGTERM. A replica's peer ID is its writer key (identity.json).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Option, type Command } from 'commander'
import { createReplicator, followNames, loadOrCreateIdentity, openGraph, RhizomeError, withTimeout, type BlockFetcher, type Graph, type Replicator, type ReplicatorOptions, type RedialFailure } from '../../index.js'
import { databaseFolder, folderExists, withLocalGraph } from '../database.js'
import { serveLive } from '../live/index.js'
import { InputFileError, listenError, NetworkTimeoutError, NothingAnsweredError } from '../errors.js'
import { NETWORK_TIMEOUTS, timeoutOption, withNetworkTimeout } from '../timeouts.js'
import { interrupt } from '../interrupt.js'
import { PREFIX, print } from '../output.js'
import { httpOptions, httpPort, startHttp, type HttpFlags } from '../http.js'
import { counted } from '../counts.js'
import { multiaddrList, nameList } from '../arguments.js'

interface NetworkFlags {
  listen?: string[]
  peer?: string[]
  psk?: string
  mdns?: boolean
  tlsCert?: string
  tlsKey?: string
}

function networkOptions (command: Command, serving: boolean): Command {
  command
    .option('--peer <multiaddr>', 'a peer to connect to (repeatable)', multiaddrList)
    .option('--psk <file>', 'a libp2p private-network key file: only peers with the same key can connect')
  if (serving) {
    command
      .option('--listen <multiaddr>', 'an address to listen on (repeatable; default: TCP and WebSockets on every interface)', multiaddrList)
      .addOption(new Option('--mdns', 'find peers on the local network by mDNS'))
      .option('--tls-cert <file>', 'a PEM certificate (with its chain) for the WebSockets listeners on /tls/ws, which browsers dial as wss:// (with --tls-key)')
      .option('--tls-key <file>', "the PEM private key of --tls-cert's certificate")
  }
  return command
}

/** The bytes of a file a flag names; an unreadable one is ERR_INPUT_FILE. */
function flagFile (path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path))
  } catch (err) {
    throw new InputFileError(path, (err as Error).message, { cause: err })
  }
}

function replicatorOptions (flags: NetworkFlags, folder: string | undefined, listen: string[] | undefined): ReplicatorOptions {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new RhizomeError('ERR_INVALID_OPTIONS', '--tls-cert and --tls-key go together: give both')
  return {
    listen: flags.listen ?? listen,
    peers: flags.peer ?? [],
    psk: flags.psk === undefined ? undefined : flagFile(flags.psk),
    tls: flags.tlsCert === undefined || flags.tlsKey === undefined ? undefined : { cert: flagFile(flags.tlsCert), key: flagFile(flags.tlsKey) },
    mdns: flags.mdns === true,
    identity: folder === undefined ? undefined : loadOrCreateIdentity(folder)
  }
}

/** Resolves on the first Ctrl-C or SIGTERM. */
async function untilStopped (): Promise<void> {
  const signal = interrupt.signal
  if (signal.aborted) return
  await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/** For serve and pin: a --peer that cannot be reached is dialled again, and each failure said on stderr. */
function keepPeers (options: ReplicatorOptions): ReplicatorOptions {
  return { ...options, redial: true }
}

function reportUnreachable (replicator: Replicator): void {
  replicator.addEventListener('peer:unreachable', event => {
    const { address, retryInMs, error } = (event as CustomEvent<RedialFailure>).detail
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
    process.stderr.write(`${PREFIX}peer ${address} not reachable (${reason}); dialling again in ${Math.max(1, Math.round(retryInMs / 1000))} s\n`)
  })
}

function printAddresses (replicator: Replicator): void {
  for (const address of replicator.multiaddrs) print(address)
}

export function registerNetwork (program: Command): void {
  httpOptions(networkOptions(program.command('serve'), true))
    .description('replicate the database with peers and serve a SPARQL endpoint until stopped (Ctrl-C); prints its multiaddrs and the endpoint\'s URL')
    .action(async (flags: NetworkFlags & HttpFlags, command: Command) => {
      await withLocalGraph(command, async graph => {
        const http = await startHttp(graph, flags)
        // The other rhizome commands on this folder reach the database through this process.
        const live = await serveLive(graph, databaseFolder(command))
        try {
          const replicator = await graph.replicate(keepPeers(replicatorOptions(flags, databaseFolder(command), undefined))).catch(err => { throw listenError(err) })
          reportUnreachable(replicator)
          printAddresses(replicator)
          if (http.url !== undefined) print(http.url)
          await untilStopped()
        } finally {
          await live?.close()
          await http.stop()
        }
      })
    })

  timeoutOption(networkOptions(program.command('sync'), false), 'the sync', NETWORK_TIMEOUTS.sync)
    .description('catch the database up once from the given peers, then exit')
    .action(async (flags: NetworkFlags & { timeout?: number }, command: Command) => {
      if (flags.peer === undefined) command.error('sync needs at least one --peer', { exitCode: 2, code: 'rhizome.peerRequired' })
      const ms = flags.timeout ?? NETWORK_TIMEOUTS.sync
      await withLocalGraph(command, async (graph, signal) => {
        // Counted as commits gained: a pull may start as soon as the peer is connected,
        // before sync() is called, and what it applies belongs to this command too.
        const before = await graph.store.nodeCount()
        const replicator = await graph.replicate(replicatorOptions(flags, databaseFolder(command), []))
        await withNetworkTimeout(signal, ms, cause => new NetworkTimeoutError('the sync', ms, { cause }), async limited => await replicator.sync({ signal: limited }))
        print(`synced ${counted(await graph.store.nodeCount() - before, 'commit')}`)
        for (const head of await graph.heads()) print(`head ${head.toString()}`)
      })
    })

  networkOptions(program.command('pin'), true)
    .description('keep databases available for peers (an availability peer): each is kept in DB/ADDRESS; with --name, also the names\' records (in DB/names) and the databases they point at; runs until stopped')
    .argument('[address...]', 'the databases to pin, by address')
    .option('--name <name>', 'keep and re-serve the records of this name (k51… or /ipns/k51…; repeatable), and pin the database it points at', nameList)
    .option('--http-port <port>', 'also answer the delegated routing API for names (GET and PUT /routing/v1/ipns/NAME) on this port (0 picks one); off by default', httpPort)
    .option('--http-host <host>', 'the routing API\'s address (default 127.0.0.1)')
    .action(async (addresses: string[], flags: NetworkFlags & { name?: string[], httpPort?: number, httpHost?: string }, command: Command) => {
      if (addresses.length === 0 && flags.name === undefined) command.error('pin needs an address or a --name', { exitCode: 2, code: 'rhizome.missingArgument' })
      const folder = databaseFolder(command)
      const replicator = await createReplicator(keepPeers(replicatorOptions(flags, undefined, undefined))).catch(err => { throw listenError(err) })
      reportUnreachable(replicator)
      const graphs: Graph[] = []
      const lives: Array<{ close: () => Promise<void> }> = []
      const pinned = new Set<string>()
      let routingUrl: string | undefined
      const pinDatabase = async (address: string): Promise<void> => {
        if (pinned.has(address)) return
        pinned.add(address)
        const graph = await openGraph({ path: join(folder, address), address, fetch: replicator.manifestFetcher() })
        graphs.push(graph)
        const live = await serveLive(graph, join(folder, address))
        if (live !== undefined) lives.push(live)
        await replicator.follow(graph)
      }
      try {
        for (const address of addresses) await pinDatabase(address)
        if (flags.name !== undefined || flags.httpPort !== undefined || existsSync(join(folder, 'names'))) {
          const { records } = await followNames(replicator, flags.name ?? [], {
            folder,
            signal: interrupt.signal,
            onDatabase: async (address, name) => {
              await pinDatabase(address)
              process.stderr.write(`${PREFIX}/ipns/${name} points at ${address}: pinned\n`)
            },
            onError: (err, name) => process.stderr.write(`${PREFIX}/ipns/${name}: ${err instanceof Error ? err.message : String(err)}\n`)
          })
          if (flags.httpPort !== undefined) {
            const { RoutingEndpoint } = await import('../../http/index.js')
            const endpoint = await RoutingEndpoint.start(records, { port: flags.httpPort, host: flags.httpHost })
            lives.push({ close: async () => await endpoint.close() })
            routingUrl = endpoint.url
          }
        }
        printAddresses(replicator)
        if (routingUrl !== undefined) print(routingUrl)
        await untilStopped()
      } finally {
        await Promise.all(lives.map(async l => await l.close()))
        await replicator.stop()
        await Promise.all(graphs.map(async g => await g.close()))
      }
    })
}

/** How long a clone waits for a peer to answer for the database's manifest. */
export const CLONE_TIMEOUT_MS = 20_000

/**
 * `rhizome clone ADDRESS --peer MULTIADDR`: a new replica in `folder`, caught up from the
 * peers, then closed. Prints the address and the number of commits. When no peer answers
 * for the database within CLONE_TIMEOUT_MS (a wrong address, a peer that does not serve
 * it, or none reachable) it fails with NothingAnsweredError, and a folder it made (or
 * found empty) is removed again: a failed clone leaves no half-made database.
 */
export async function cloneFromPeers (folder: string, address: string, flags: NetworkFlags & { timeout?: number }): Promise<void> {
  const existed = folderExists(folder)
  const wasEmpty = !existed || readdirSync(folder).length === 0
  let made = false
  try {
    await clone(folder, address, flags, flags.timeout ?? CLONE_TIMEOUT_MS, () => { made = true })
  } catch (err) {
    if (made && wasEmpty) {
      if (existed) for (const entry of readdirSync(folder)) rmSync(`${folder}/${entry}`, { recursive: true, force: true })
      else rmSync(folder, { recursive: true, force: true })
    }
    throw err
  }
}

/** Whether a clone argument is a name (/ipns/k51…, ipns://k51…, or a bare k51…) rather than an address. */
function isName (text: string): boolean {
  return text.startsWith('/ipns/') || text.startsWith('ipns://') || /^k51[0-9a-z]+$/.test(text)
}

/** `clone /ipns/NAME --peer`: the name resolved through the peers, the database opened at its root and caught up to its heads. */
async function cloneNamed (folder: string, name: string, flags: NetworkFlags, timeoutMs: number, onMade: () => void): Promise<void> {
  const signal = interrupt.signal
  onMade()
  const graph = await openGraph({ path: folder, ipns: name, replicate: { ...replicatorOptions(flags, undefined, []), resolveTimeout: timeoutMs }, create: { exclusive: true }, signal })
  try {
    print(graph.address)
    print(`cloned ${counted(await graph.store.nodeCount(), 'commit')}`)
  } finally {
    await graph.close()
  }
}

async function clone (folder: string, address: string, flags: NetworkFlags, timeoutMs: number, onMade: () => void): Promise<void> {
  if (isName(address)) return await cloneNamed(folder, address, flags, timeoutMs, onMade)
  const signal = interrupt.signal
  const seconds = timeoutMs / 1000
  const replicator = await createReplicator(replicatorOptions(flags, undefined, []))
    .catch(err => { throw err instanceof RhizomeError ? err : new NothingAnsweredError(address, seconds, { cause: err }) })
  const peers = replicator.manifestFetcher()
  // The manifest from whichever peer answers first, within the limit; anything else is "nothing answered".
  const fetch: BlockFetcher = {
    get: async (cid, options = {}) => {
      const limited = withTimeout(options.signal ?? signal, timeoutMs)
      try {
        const bytes = await waitFor(async () => await peers.get(cid, { signal: limited }), limited)
        if (bytes !== undefined) return bytes
      } catch (err) {
        if (signal.aborted) throw err
        throw new NothingAnsweredError(address, seconds, { cause: err })
      }
      throw new NothingAnsweredError(address, seconds)
    }
  }
  try {
    onMade()
    const graph = await openGraph({ path: folder, address, fetch, create: { exclusive: true }, signal })
    try {
      await replicator.follow(graph)
      const { applied } = await replicator.sync()
      print(graph.address)
      print(`cloned ${counted(applied, 'commit')}`)
    } finally {
      await replicator.stop()
      await graph.close()
    }
  } finally {
    await replicator.stop()
  }
}

/**
 * Asks `get` until it gives bytes or the signal fires: right after start the peers may
 * not be connected yet, so an early "not found" is asked again, a moment later.
 */
async function waitFor (get: () => Promise<Uint8Array | undefined>, signal: AbortSignal): Promise<Uint8Array | undefined> {
  let last: unknown
  while (!signal.aborted) {
    try {
      const bytes = await get()
      if (bytes !== undefined) return bytes
    } catch (err) {
      last = err
    }
    if (signal.aborted) break
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, 250)
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
  }
  if (last !== undefined) throw last
  return undefined
}
