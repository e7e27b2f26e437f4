/**
 * `npm run bench:hostile-peer`: the figures of issue 10's network defects (6, 7, 8),
 * measured again against today's replica. The victim, an honest writer and a relay run
 * in this process (a persistent SQLite victim); the attackers run in a child process
 * (this script with --attack, built on bench/hostile-node.ts: stock libp2p and Helia,
 * not Rhizome's replicator), so the victim's memory figures are its own.
 *
 *   flood      announcements of nonexistent heads at about --rate a second (default
 *              220, 16 heads each) for --seconds (default 20), from a new identity each
 *              time the last one is blocked; meanwhile the writer commits once a second:
 *              the time until the victim holds each honest commit (median, max), and the
 *              victim's heap growth;
 *   slow       --streams catch-up requests for the victim's whole history (default 160,
 *              over 40 connections) that are never read, plus requests that never finish
 *              arriving: the victim's RSS growth, the serving memory it reserved at most,
 *              streams refused and cut, and how long until the readers are blocked;
 *   junk       60 well-hashed junk blocks of 900 KB announced through a relay and served
 *              over bitswap: the victim's store growth on disk, and whether the server is
 *              blocked.
 *
 * Before these fixes (issue 10): a flood delayed an honest commit by 4 to 11 s and grew
 * the heap by 350 MiB; 160 unread streams took RSS from 190 to 948 MB; the junk grew the
 * store from 0.15 to 55 MB and nobody was penalized. Flags: --seconds N, --rate N,
 * --streams N, --quick (5 s flood, 40 streams, 10 junk blocks), --help. Figures go to
 * bench/results/hostile-peer.json (bench/.data/results with --quick).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { CID } from 'multiformats/cid'
import { factory, keyPairFromSeed, openGraph, writerId, type Graph } from '../index.js'
import type { Replicator } from '../replication/index.js'
import { everythingRequest, ghostCid, hostilePeer, junkBlock, type Hostile } from './hostile-node.js'
import { bytes, duration, integer, renderTable } from './table.js'
import { numericFlags } from './options.js'

const fromSources = import.meta.url.endsWith('.ts')
const root = fileURLToPath(new URL(fromSources ? '..' : '../..', import.meta.url))
const LOOPBACK = ['/ip4/127.0.0.1/tcp/0']

export const usage = `options:
  --seconds N     how long the flood lasts (default 20)
  --rate N        announcements a second in the flood (default 220)
  --streams N     unread catch-up streams opened (default 160)
  --quick         a 5 s flood, 40 streams, 10 junk blocks: a smoke test
  --help`

const ex = (s: string): ReturnType<typeof factory.namedNode> => factory.namedNode(`http://example.org/${s}`)
const seedOf = (i: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, k) => (i * 13 + k * 5 + 3) & 0xff)
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

// ---------------------------------------------------------------------------------------
// The attacker process

interface AttackArgs { mode: 'flood' | 'slow' | 'junk', victim: string, victimPeer: string, relay?: string, topic: string, db: string, seconds: number, rate: number, streams: number, junk: number }

async function attack (args: AttackArgs): Promise<void> {
  const say = (event: string, detail: object = {}): void => { process.stdout.write(JSON.stringify({ event, ...detail }) + '\n') }
  const peers: Hostile[] = []
  const fresh = async (): Promise<Hostile> => { const p = await hostilePeer(); peers.push(p); return p }
  if (args.mode === 'flood') {
    const end = Date.now() + args.seconds * 1000
    let sent = 0
    let identities = 0
    while (Date.now() < end) {
      const flooder = await fresh()
      identities++
      await flooder.dial(args.victim).catch(() => {})
      if (!await flooder.join(args.topic)) continue
      const started = Date.now()
      while (Date.now() < end && flooder.libp2p.getConnections().length > 0) {
        await flooder.announce(args.topic, Array.from({ length: 16 }, (_, k) => ghostCid(`flood ${sent} ${k}`)))
        sent++
        const ahead = sent - (Date.now() - started) * args.rate / 1000 - (identities - 1)
        if (ahead > 0) await sleep(1000 / args.rate)
      }
      await flooder.stop()
    }
    say('done', { sent, identities })
  } else if (args.mode === 'slow') {
    const connections = Math.ceil(args.streams / 4)
    const readers = await Promise.all(Array.from({ length: connections }, async () => await fresh()))
    // libp2p admits about 5 inbound connections a second from one host: dial in step with it
    for (const r of readers) {
      await r.dial(args.victim).catch(() => {})
      await sleep(250)
    }
    const db = CID.parse(args.db)
    let opened = 0
    let failed = 0
    const started = Date.now()
    await Promise.all(readers.map(async r => {
      for (let s = 0; s < 4; s++) {
        try {
          await r.openCatchup(args.victimPeer, everythingRequest(db), { partial: s === 3 })
          opened++
        } catch { failed++ }
      }
    }))
    // keep trying as the victim cuts them, until every reader is hung up on (or 60 s)
    while (readers.some(r => r.libp2p.getConnections().length > 0) && Date.now() - started < 60_000) {
      await Promise.all(readers.filter(r => r.libp2p.getConnections().length > 0).map(async r => {
        try {
          await r.openCatchup(args.victimPeer, everythingRequest(db), { partial: true })
          opened++
        } catch { failed++ }
      }))
      await sleep(200)
    }
    say('done', { opened, failed, ms: Date.now() - started })
  } else {
    const server = await fresh()
    const announcer = await fresh()
    const junk = await Promise.all(Array.from({ length: args.junk }, async (_, i) => await junkBlock(`junk ${i}`, 900 * 1024)))
    for (const block of junk) await server.blockstore.put(block.cid, block.bytes)
    await server.dial(args.victim)
    await announcer.dial(args.relay as string)
    await announcer.join(args.topic)
    const started = Date.now()
    while (server.libp2p.getConnections().length > 0 && Date.now() - started < 60_000) {
      await announcer.announce(args.topic, junk.map(b => b.cid).slice(0, 256))
      await sleep(250)
    }
    say('done', { blocks: junk.length, ms: Date.now() - started, cut: server.libp2p.getConnections().length === 0 })
  }
  await Promise.all(peers.map(async p => await p.stop().catch(() => {})))
  process.exit(0)
}

async function runAttack (args: AttackArgs): Promise<Record<string, any>> {
  const script = fileURLToPath(import.meta.url)
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(fromSources ? ['--import', 'tsx'] : []), script, '--attack', JSON.stringify(args)], { cwd: root, stdio: 'pipe' })
  let stderr = ''
  proc.stderr.on('data', d => { stderr = (stderr + String(d)).slice(-4000) })
  let done: Record<string, any> | undefined
  createInterface({ input: proc.stdout }).on('line', line => { try { done = JSON.parse(line) } catch {} })
  const code = await new Promise<number | null>(resolve => proc.on('exit', resolve))
  if (done === undefined) throw new Error(`the ${args.mode} attacker exited (${code}) without figures: ${stderr}`)
  return done
}

// ---------------------------------------------------------------------------------------
// The victim's side

interface World { writer: Graph, victim: Graph, relay: Graph, wr: Replicator, vr: Replicator, rr: Replicator, folder: string, topic: string }

async function world (work: string): Promise<World> {
  const [wk, vk] = [keyPairFromSeed(seedOf(1)), keyPairFromSeed(seedOf(2))]
  const writer = await openGraph({ identity: wk, create: { name: 'hostile-peer', writers: [writerId(vk.publicKey)] } })
  const folder = join(work, 'victim')
  const victim = await openGraph({ path: folder, identity: vk, address: writer.address, fetch: writer.blocks })
  const relay = await openGraph({ address: writer.address, fetch: writer.blocks })
  const options = { listen: LOOPBACK, announceInterval: 2_000 }
  const [wr, vr, rr] = [await writer.replicate(options), await victim.replicate(options), await relay.replicate(options)]
  await vr.connect(wr.multiaddrs[0])
  await vr.connect(rr.multiaddrs[0])
  return { writer, victim, relay, wr, vr, rr, folder, topic: `/rhizome/db/1/${writer.address}` }
}

function folderBytes (dir: string): number {
  let total = 0
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name)
    total += name.isDirectory() ? folderBytes(path) : statSync(path).size
  }
  return total
}

const percentile = (sorted: number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]

async function visible (graph: Graph, head: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if ((await graph.heads()).some(h => h.toString() === head)) return true
    await new Promise<void>(resolve => {
      const done = (): void => { graph.removeEventListener('change', done); resolve() }
      graph.addEventListener('change', done)
      setTimeout(done, 20)
    })
  }
  return false
}

async function flood (w: World, seconds: number, rate: number): Promise<Record<string, number>> {
  const blocked: string[] = []
  w.vr.addEventListener('peer:penalized', () => blocked.push('x'))
  globalThis.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  let heapPeak = heapBefore
  const sampler = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed) }, 100)
  const attacker = runAttack({ mode: 'flood', victim: w.vr.multiaddrs[0], victimPeer: w.vr.peerId, topic: w.topic, db: w.writer.address, seconds, rate, streams: 0, junk: 0 })
  const latencies: number[] = []
  let lost = 0
  await sleep(1000)
  for (let i = 0; i < seconds - 2; i++) {
    const started = performance.now()
    const { head } = await w.writer.insert([factory.quad(ex('honest'), ex('n'), factory.literal(String(i)))])
    if (head !== undefined && await visible(w.victim, head.toString(), 20_000)) latencies.push(performance.now() - started)
    else lost++
    await sleep(Math.max(0, 1000 - (performance.now() - started)))
  }
  const done = await attacker
  clearInterval(sampler)
  globalThis.gc?.()
  const heapAfter = process.memoryUsage().heapUsed
  latencies.sort((a, b) => a - b)
  return { announcements: done.sent, seconds, identities: done.identities, blocked: blocked.length, honestCommits: latencies.length, lost, medianMs: percentile(latencies, 0.5), maxMs: latencies[latencies.length - 1], heapGrowthBytes: heapPeak - heapBefore, heapKeptBytes: heapAfter - heapBefore }
}

async function slowReaders (w: World, streams: number): Promise<Record<string, number>> {
  // enough history (about 4 MB) that an unread response fills every buffer between them
  const big = 'x'.repeat(1000)
  for (let c = 0; c < 8; c++) await w.writer.insert(Array.from({ length: 500 }, (_, k) => factory.quad(ex(`bulk${c}`), ex('p'), factory.literal(`${k} ${big}`))))
  const deadline = Date.now() + 60_000
  while ((await w.victim.size()) < 4000 && Date.now() < deadline) await sleep(100)
  globalThis.gc?.()
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  let servingPeak = 0
  const refused: Record<string, number> = {}
  w.vr.addEventListener('serve:refused', e => { const code = (e as CustomEvent<{ error: { code: string } }>).detail.error.code; refused[code] = (refused[code] ?? 0) + 1 })
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); servingPeak = Math.max(servingPeak, w.vr.serving()) }, 50)
  const done = await runAttack({ mode: 'slow', victim: w.vr.multiaddrs[0], victimPeer: w.vr.peerId, topic: w.topic, db: w.writer.address, seconds: 0, rate: 0, streams, junk: 0 })
  clearInterval(sampler)
  return { streamsOpened: done.opened, streamsFailed: done.failed, rssBeforeBytes: rssBefore, rssPeakBytes: rssPeak, rssGrowthBytes: rssPeak - rssBefore, servingPeakBytes: servingPeak, busy: refused.ERR_SERVE_BUSY ?? 0, cut: refused.ERR_SLOW_READER ?? 0, allBlockedMs: done.ms }
}

async function junk (w: World, blocks: number): Promise<Record<string, number | boolean>> {
  const before = folderBytes(w.folder)
  const done = await runAttack({ mode: 'junk', victim: w.vr.multiaddrs[0], victimPeer: w.vr.peerId, relay: w.rr.multiaddrs[0], topic: w.topic, db: w.writer.address, seconds: 0, rate: 0, streams: 0, junk: blocks })
  await sleep(500)
  return { blocks, storeBeforeBytes: before, storeAfterBytes: folderBytes(w.folder), serverBlocked: done.cut === true, msToBlock: done.ms }
}

async function main (options: { seconds: number, rate: number, streams: number, junk: number, results: string }): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rhizome-hostile-peer-'))
  try {
    const figures: Record<string, Record<string, number | boolean>> = {}
    for (const [name, run] of [
      ['flood', async (w: World) => await flood(w, options.seconds, options.rate)],
      ['slow', async (w: World) => await slowReaders(w, options.streams)],
      ['junk', async (w: World) => await junk(w, options.junk)]
    ] as const) {
      const w = await world(join(work, name))
      try {
        figures[name] = await run(w)
        console.log(`${name}: ${JSON.stringify(figures[name])}`)
      } finally {
        await Promise.all([w.writer.close(), w.victim.close(), w.relay.close()])
      }
    }
    const f = figures as Record<string, Record<string, number>>
    console.log(renderTable([{ title: 'defect', align: 'left' }, { title: 'before (issue 10)', align: 'left' }, { title: 'now', align: 'left' }], [
      ['7 flood: honest commit visible after', '4 to 11 s', `median ${duration(f.flood.medianMs)}, max ${duration(f.flood.maxMs)} (${f.flood.honestCommits} commits, ${f.flood.lost} lost)`],
      ['7 flood: heap growth', '350 MiB', `peak ${bytes(f.flood.heapGrowthBytes)}, ${bytes(f.flood.heapKeptBytes)} kept after GC (${integer(f.flood.announcements)} announcements in ${f.flood.seconds} s from ${f.flood.identities} identities, ${f.flood.blocked} blocked)`],
      ['8 slow readers: RSS', '190 → 948 MB (160 streams)', `${bytes(f.slow.rssBeforeBytes)} → ${bytes(f.slow.rssPeakBytes)} (${f.slow.streamsOpened} streams opened, ${f.slow.streamsFailed} refused by libp2p or reset; serving reserved at most ${bytes(f.slow.servingPeakBytes)}; ${f.slow.busy} refused, ${f.slow.cut} cut)`],
      ['6 junk blocks: store', '0.15 → 55 MB, nobody penalized', `${bytes(f.junk.storeBeforeBytes)} → ${bytes(f.junk.storeAfterBytes)} (${f.junk.blocks} blocks; server ${figures.junk.serverBlocked === true ? 'blocked' : 'NOT blocked'})`]
    ]))
    mkdirSync(options.results, { recursive: true })
    writeFileSync(join(options.results, 'hostile-peer.json'), JSON.stringify(figures, null, 2) + '\n')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

const argv = process.argv.slice(2)
if (argv[0] === '--attack') {
  await attack(JSON.parse(argv[1]) as AttackArgs)
} else {
  const flags = numericFlags(argv, ['seconds', 'rate', 'streams'], usage)
  await main({
    seconds: flags.number('seconds', flags.quick ? 5 : 20),
    rate: flags.number('rate', 220),
    streams: flags.number('streams', flags.quick ? 40 : 160),
    junk: flags.quick ? 10 : 60,
    results: flags.results ?? join(root, flags.quick ? 'bench/.data/results' : 'bench/results')
  })
  process.exit(0)
}
