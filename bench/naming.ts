/**
 * `npm run bench:naming` (issue 11; not asserted in tests): names on loopback between
 * processes. An availability peer, `rhizome pin --name NAME --http-port 0`, runs as its
 * own process; this process is the publisher and the resolvers.
 *
 *   publish → resolvable   the publisher (connected to the pinner) publishes a new record;
 *                          timed until the pinner answers it (its routing API, polled);
 *                          median and p90 of --samples publishes
 *   resolve (Rhizome)      a resolver connected to the pinner resolves the name with an
 *                          empty book each time (nothing held: one Fetch round trip and the
 *                          record's checks); median and p90
 *   resolve (@helia/ipns)  a stock Helia node with @helia/ipns's pubsub router, connected to
 *                          the same pinner, resolves it (`nocache`), in the same run
 *
 * Beside them, the figures reported for the alternatives: IPNS over the public DHT about
 * 30 s (it waits for 16 of 20 peers), the pubsub router's fetch up to 2.5 s.
 *
 * Flags: --samples N (default 30; --quick 10), --results DIR, --help.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { gossipsub } from '@libp2p/gossipsub'
import { fetch as fetchService } from '@libp2p/fetch'
import { ipns, pubSubIPNSRouting } from '@helia/ipns'
import { multiaddr } from '@multiformats/multiaddr'
import { factory, openGraph, createReplicator } from '../index.js'
import { checkRecord, memoryNameStorage, NameBook, parseName } from '../naming/index.js'
import { stockHelia } from './stock-helia.js'
import { repoRoot } from './lubm.js'
import { numericFlags } from './options.js'
import { renderTable } from './table.js'

const usage = `options:
  --samples N     publishes and resolves timed (default 30; --quick 10)
  --quick         a smoke test
  --results DIR   where naming.json and naming.txt go (default bench/results)
  --help`

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN
}

const ms = (n: number): string => Number.isNaN(n) ? '—' : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`

async function startPin (root: string, folder: string, name: string): Promise<{ child: ChildProcess, address: string, routing: string }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), '--db', folder, 'pin', '--name', name, '--listen', LOOPBACK[0]!, '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const printed: string[] = []
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => { printed.push(line); if (printed.length === 2) resolve() })
    child.once('exit', code => reject(new Error(`rhizome pin exited ${String(code)}: ${stderr}`)))
  })
  return { child, address: printed[0]!, routing: printed[1]! }
}

/** The sequence of the record the pinner answers for `name`, or -1. */
async function pinnedSequence (routing: string, name: string): Promise<bigint> {
  const response = await fetch(routing + name)
  if (response.status !== 200) return -1n
  return (await checkRecord(parseName(name), new Uint8Array(await response.arrayBuffer()))).sequence
}

async function main (): Promise<void> {
  const flags = numericFlags(process.argv.slice(2), ['samples'], usage)
  const samples = flags.number('samples', flags.quick ? 10 : 30)
  const root = repoRoot()
  const results = flags.results ?? join(root, flags.quick ? 'bench/.data/results' : 'bench/results')
  const work = mkdtempSync(join(tmpdir(), 'rhizome-bench-naming-'))
  const stops: Array<() => Promise<unknown>> = []
  try {
    // The publisher: a database with a few quads, replicating, with one published name.
    const graph = await openGraph({ path: join(work, 'writer') })
    stops.push(async () => await graph.close())
    await graph.insert([factory.quad(factory.namedNode('urn:s'), factory.namedNode('urn:p'), factory.literal('o'))])
    const first = await graph.publish('notes')
    const pin = await startPin(root, join(work, 'pinner'), first.name)
    stops.push(async () => { pin.child.kill('SIGTERM'); await new Promise(resolve => pin.child.once('exit', resolve)) })
    const replicator = await graph.replicate({ listen: LOOPBACK, peers: [pin.address] })
    const deadline = Date.now() + 30_000
    while (await pinnedSequence(pin.routing, first.name) < first.sequence) if (Date.now() > deadline) throw new Error('the pinner never took the first record')

    const publishMs: number[] = []
    for (let i = 0; i < samples; i++) {
      const start = performance.now()
      const published = await graph.publish('notes')
      while (await pinnedSequence(pin.routing, first.name) < published.sequence) if (performance.now() - start > 30_000) throw new Error('a publish never reached the pinner')
      publishMs.push(performance.now() - start)
    }
    await replicator.stop()

    // Rhizome resolving through the pinner, with nothing held.
    const resolver = await createReplicator({ listen: LOOPBACK, peers: [pin.address] })
    stops.push(async () => await resolver.stop())
    const name = parseName(first.name)
    const resolveMs: number[] = []
    for (let i = 0; i < samples; i++) {
      const book = await NameBook.open(memoryNameStorage())
      const service = resolver.names(book)
      const start = performance.now()
      await service.resolve(name, { timeout: 10_000 })
      resolveMs.push(performance.now() - start)
    }

    // A stock Helia node with @helia/ipns's pubsub router, against the same pinner.
    const helia = await stockHelia({ pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }), fetch: fetchService() })
    stops.push(async () => await helia.stop())
    await helia.libp2p.dial(multiaddr(pin.address))
    const heliaName = ipns(helia, { routers: [pubSubIPNSRouting(helia)] })
    const heliaMs: number[] = []
    let heliaFirst = NaN
    const coldStart = performance.now()
    while (Number.isNaN(heliaFirst) && performance.now() - coldStart < 30_000) {
      try {
        for await (const _ of heliaName.resolve(first.name, { nocache: true, signal: AbortSignal.timeout(5_000) })) heliaFirst = performance.now() - coldStart
      } catch {} // the first call subscribes; the router answers once the pinner's subscription is known
    }
    for (let i = 0; i < samples; i++) {
      const start = performance.now()
      for await (const result of heliaName.resolve(first.name, { nocache: true, signal: AbortSignal.timeout(10_000) })) if (result.value === '') throw new Error('an empty record')
      heliaMs.push(performance.now() - start)
    }

    const rows = [
      ['publish → resolvable on a connected peer', ms(percentile(publishMs, 0.5)), ms(percentile(publishMs, 0.9)), '< 200 ms', String(samples)],
      ['resolve through a connected pinner (Rhizome)', ms(percentile(resolveMs, 0.5)), ms(percentile(resolveMs, 0.9)), '< 100 ms', String(samples)],
      ['resolve through the same pinner (@helia/ipns pubsub)', ms(percentile(heliaMs, 0.5)), ms(percentile(heliaMs, 0.9)), '', String(samples)],
      ['@helia/ipns pubsub, first resolve (subscribing)', ms(heliaFirst), '', '', '1'],
      ['IPNS over the public DHT (reported)', '~30 s', '', '', ''],
      ['pubsub router fetch, its time limit (reported)', '≤ 2.5 s', '', '', '']
    ]
    const table = renderTable([{ title: 'names, loopback between processes', align: 'left' }, { title: 'median' }, { title: 'p90' }, { title: 'target' }, { title: 'samples' }], rows)
    console.log(table)
    mkdirSync(results, { recursive: true })
    writeFileSync(join(results, 'naming.txt'), table + '\n')
    writeFileSync(join(results, 'naming.json'), JSON.stringify({ samples, publishMs, resolveMs, heliaMs, heliaFirst }, null, 2) + '\n')
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
