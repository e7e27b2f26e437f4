/**
 * The HTTP endpoint half of `rhizome serve`: its options (--http-port, --http-host,
 * --allow-update, --allow-load, --allow-service, --token / RHIZOME_TOKEN, --query-timeout) and starting
 * it beside replication; serve prints the endpoint's URL (http://H:P/sparql) on its own
 * line after the multiaddrs.
 * The http layer is loaded only when serve runs.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { Graph } from '../index.js'
import { PREFIX } from './status.js'
import { positiveInteger } from './sparql-text.js'

export interface HttpFlags {
  httpPort?: number
  httpHost?: string
  allowUpdate?: boolean
  allowLoad?: string[]
  allowService?: string[]
  token?: string
  queryTimeout?: number
  http?: boolean
}

/** A port number, for --http-port. */
export const httpPort = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0 to 65535)')
  return n
}

export function httpOptions (command: Command): Command {
  return command
    .option('--http-port <port>', 'the SPARQL endpoint\'s port (default 7878; 0 picks a free one)', httpPort)
    .option('--http-host <host>', 'the SPARQL endpoint\'s address (default 127.0.0.1)')
    .option('--no-http', 'serve no SPARQL endpoint, only replication')
    .option('--allow-update', 'accept SPARQL Update and Graph Store writes (each one signed commit)')
    .option('--allow-load <dir>', 'let SPARQL LOAD read local files inside this folder (repeatable; default: none)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--allow-service <url>', 'let queries call this SPARQL endpoint with SERVICE (a URL prefix, or * for any; repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .addOption(new Option('--token <token>', 'a bearer token updates must carry (needed for updates off loopback)').env('RHIZOME_TOKEN'))
    .option('--query-timeout <ms>', 'stop each query or update after this many milliseconds (default 60000)', positiveInteger)
}

export interface RunningHttp {
  /** The endpoint's URL, or undefined when none runs. */
  url: string | undefined
  stop: () => Promise<void>
}

/**
 * Starts the endpoint (unless --no-http). A port asked for with --http-port that is in
 * use fails the command (PortInUseError, naming the port); the default port in use only
 * warns and serve goes on replicating: two replicas on one machine (two databases, or
 * tests in parallel) must not stop each other from serving peers.
 */
export async function startHttp (graph: Graph, flags: HttpFlags): Promise<RunningHttp> {
  const none: RunningHttp = { url: undefined, stop: async () => {} }
  if (flags.http === false) return none
  const { HttpEndpoint, PortInUseError } = await import('../http/index.js')
  try {
    const endpoint = await HttpEndpoint.start(graph, {
      port: flags.httpPort,
      host: flags.httpHost,
      allowUpdate: flags.allowUpdate === true,
      loadFolders: flags.allowLoad ?? [],
      services: flags.allowService ?? [],
      token: flags.token,
      timeoutMs: flags.queryTimeout
    })
    return { url: endpoint.url, stop: async () => { await endpoint.close() } }
  } catch (err) {
    if (!(err instanceof PortInUseError) || flags.httpPort !== undefined) throw err
    process.stderr.write(`${PREFIX}warning: ${err.message}; serving replication only\n`)
    return none
  }
}
