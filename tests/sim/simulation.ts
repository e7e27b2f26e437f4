/**
 * Deterministic simulation of a Rhizome network: one seed is one schedule.
 *
 * A seed picks the replicas (1–3 writers, a reader in memory, a pinning peer on disk,
 * and some writers on disk), the faults (drops, duplicates, delays that reorder,
 * failing block fetches), and a schedule of writes, partitions that heal, crashes and
 * restarts of the on-disk replicas. Replicas tell each other their heads (on every
 * commit; what a merge brought in, to one peer; and every few ticks to one peer:
 * anti-entropy); a replica told of heads merges them with `graph.merge`, fetching blocks from the teller over the network
 * (network.ts). Steps run one at a time, each to its end, so a seed always makes the
 * same choices (the CIDs differ from run to run: a commit holds its wall-clock time;
 * nothing chooses by them); the soak's --concurrent runs a tick's steps at once.
 *
 * Checked while it runs: a write or merge fails only as the network makes it (a
 * missing block), and a failed merge changes nothing; a crashed replica reopens
 * holding exactly the commits it held (every one it acknowledged) and the same
 * heads. At the end, the faults stop, partitions heal, the crashed restart and
 * every replica merges from every other twice: then all must hold the same heads,
 * the same quads and every acknowledged commit, and so must a new replica that
 * merges from one of them.
 */
import type { CID } from 'multiformats/cid'
import { factory, keyPairFromSeed, RhizomeError, writerId, type KeyPair, type RDF } from '../../index.js'
import { prng } from '../crash/workload.mjs'
import { RELIABLE, Schedule, SimNetwork, type Announce, type Faults } from './network.js'
import { SimReplica, type Clock, type Role } from './replica.js'

export interface SimOptions {
  /** Steps (writes, partitions, crashes) before the network is made reliable. Default 24. */
  steps?: number
  /** Allow replicas on disk (SQLite) and their crashes. Default true. */
  persistent?: boolean
  /**
   * Run the writes and deliveries due at one tick all at once, so they interleave.
   * More schedules, but not replayable exactly: where they interleave depends on
   * threads (signing, hashing) finishing in time. Default false: one step at a time.
   */
  concurrent?: boolean
  /** Record every step (to replay a seed by eye). */
  trace?: boolean
}

export interface SimResult {
  seed: number
  /** What went wrong; empty when the seed converged with nothing lost. */
  failures: string[]
  trace: string[]
  counts: { replicas: number, writes: number, merges: number, failedMerges: number, crashes: number, partitions: number, messages: number, dropped: number, duplicated: number, fetchesFailed: number }
}

type Step = Announce | { kind: 'write', replica: number } | { kind: 'gossip' } | { kind: 'partition' } | { kind: 'heal' } | { kind: 'crash', replica: number } | { kind: 'restart', replica: number }

const EX = 'http://example.org/'
const GOSSIP_EVERY = 5

function seedKey (seed: number, i: number): KeyPair {
  const bytes = new Uint8Array(32)
  const random = prng(seed * 31 + i + 1)
  for (let b = 0; b < 32; b++) bytes[b] = Math.floor(random() * 256)
  return keyPairFromSeed(bytes)
}

export async function runSimulation (seed: number, options: SimOptions = {}): Promise<SimResult> {
  const random = prng(seed)
  const steps = options.steps ?? 24
  const persistentAllowed = options.persistent ?? true
  const trace: string[] = []
  const failures: string[] = []
  const log = (line: string): void => { if (options.trace === true) trace.push(`t=${schedule.now} ${line}`) }
  const fail = (line: string): void => { failures.push(`t=${schedule.now} ${line}`) }

  // The replicas: writers first (replica 0 creates the database), then a reader and a pinner.
  const writers = 1 + Math.floor(random() * 3)
  const roles: Role[] = [...Array<Role>(writers).fill('writer'), ...(random() < 0.7 ? ['reader' as const] : []), ...(persistentAllowed ? ['pinner' as const] : ['reader' as const])]
  const persistent = roles.map(role => persistentAllowed && (role === 'pinner' || (role === 'writer' && random() < 0.3)))
  const keys = roles.map((_, i) => seedKey(seed, i))
  const faults: Faults = {
    drop: random() * 0.4,
    duplicate: random() * 0.3,
    maxDelay: 1 + Math.floor(random() * 8),
    fetchFail: random() * 0.15
  }
  const schedule = new Schedule<Step>()
  const replicas: SimReplica[] = []
  const network = new SimNetwork<Step>(seed ^ 0x5eed, replicas, faults, schedule)
  const counts = { replicas: roles.length, writes: 0, merges: 0, failedMerges: 0, crashes: 0, partitions: 0, messages: 0, dropped: 0, duplicated: 0, fetchesFailed: 0 }
  /** Every commit a write returned, with who wrote it. */
  const acknowledged: Array<{ cid: CID, by: number }> = []
  /** What each crashed replica held when it went down. */
  const before = new Map<number, Clock>()
  /** Every quad inserted so far, by any writer: what a delete picks from. */
  const inserted: RDF.Quad[] = []
  let fresh = 0

  const writerIds = keys.slice(0, writers).map(k => writerId(k.publicKey))
  try {
    for (let i = 0; i < roles.length; i++) {
      replicas.push(await SimReplica.create(i, roles[i], persistent[i], keys[i], i === 0
        ? { writers: writerIds.slice(1) }
        : { address: replicas[0].live.address, fetch: replicas[0].live.blocks }))
    }
    log(`replicas ${roles.map((r, i) => `${i}:${r}${persistent[i] ? '(disk)' : ''}`).join(' ')}; faults ${JSON.stringify(faults)}`)

    const announceAll = async (from: number): Promise<void> => {
      const heads = await replicas[from].live.heads()
      for (let to = 0; to < replicas.length; to++) if (to !== from) network.announce(from, to, heads)
    }

    const announceOne = async (from: number): Promise<void> => {
      const others = replicas.filter(r => r.id !== from)
      network.announce(from, others[Math.floor(network.random() * others.length)].id, await replicas[from].live.heads())
    }

    // The schedule: writes at seeded times, a partition or two, crashes of replicas on disk.
    let time = 0
    for (let s = 0; s < steps; s++) {
      time += 1 + Math.floor(random() * 3)
      const roll = random()
      const disk = replicas.filter(r => r.persistent)
      if (roll < 0.08) {
        schedule.at(time, { kind: 'partition' })
        schedule.at(time + 5 + Math.floor(random() * 20), { kind: 'heal' })
      } else if (roll < 0.16 && disk.length > 0) {
        const replica = disk[Math.floor(random() * disk.length)].id
        schedule.at(time, { kind: 'crash', replica })
        schedule.at(time + 1 + Math.floor(random() * 10), { kind: 'restart', replica })
      } else {
        schedule.at(time, { kind: 'write', replica: Math.floor(random() * writers) })
      }
    }
    for (let t = GOSSIP_EVERY; t <= time; t += GOSSIP_EVERY) schedule.at(t, { kind: 'gossip' })

    const merge = async (to: number, from: number, heads: CID[], alone = true, fetch = network.fetcher(to, from)): Promise<void> => {
      const graph = replicas[to].live
      const had = (await graph.heads()).map(String).sort()
      try {
        const { applied } = await graph.merge(heads, { fetch })
        counts.merges++
        log(`${to} merged ${applied} from ${from}`)
        // What was new is passed on, to one peer (gossip, not a flood).
        if (applied > 0) await announceOne(to)
      } catch (err) {
        counts.failedMerges++
        if (!(err instanceof RhizomeError) || err.code !== 'ERR_MISSING_BLOCK') fail(`merge into ${to} from ${from} failed: ${String(err)}${err instanceof RhizomeError ? ` (${err.code})` : ''}`)
        const now = (await graph.heads()).map(String).sort()
        // (A write or merge running beside it may have changed them.)
        if (alone && now.join() !== had.join()) fail(`a failed merge into ${to} changed its heads`)
        log(`${to} failed to merge from ${from}`)
      }
    }

    // One step at a time, each to its end; or (concurrent) what happens at one tick:
    // partitions, crashes and restarts first, one by one, then the writes and deliveries
    // all at once (they interleave at every await, as a replica's writes and merges do,
    // which the graph's write queue puts in order).
    for (let batch = schedule.nextBatch(); batch.length > 0; batch = schedule.nextBatch()) {
      if (options.concurrent !== true) {
        for (const step of batch) await handle(step, true)
        continue
      }
      const traffic = batch.filter(s => s.kind === 'write' || s.kind === 'announce')
      for (const step of batch) if (step.kind !== 'write' && step.kind !== 'announce') await handle(step, true)
      if (traffic.length === 1) await handle(traffic[0], true)
      else await Promise.all(traffic.map(async step => await handle(step, false)))
    }

    async function handle (step: Step, alone: boolean): Promise<void> {
      switch (step.kind) {
        case 'write': {
          const replica = replicas[step.replica]
          if (!replica.up) break
          const graph = replica.live
          // Nothing here reads the replica's quads: that would commit its open group
          // before every write, and a crash would never find writes in the commit log.
          let result
          if (inserted.length > 0 && random() < 0.3) {
            // A quad some writer inserted; this replica may not have it (then no commit).
            const victim = inserted[Math.floor(random() * inserted.length)]
            result = await graph.delete([victim])
            if (result.head === undefined) {
              log(`${step.replica} deleted a quad it does not hold`)
              break
            }
          } else {
            const n = 1 + Math.floor(random() * (random() < 0.1 ? 200 : 3))
            const added = []
            for (let i = 0; i < n; i++) {
              const k = fresh++
              // Subjects repeat across writers, so concurrent adds and removes meet.
              added.push(factory.quad(factory.namedNode(`${EX}s${k % 7}`), factory.namedNode(`${EX}p${k % 3}`), factory.literal(`${seed} ${k}`), k % 4 === 3 ? factory.namedNode(`${EX}g`) : factory.defaultGraph()))
            }
            inserted.push(...added)
            result = await graph.insert(added)
            if (result.head === undefined) {
              fail(`an insert of new quads at ${step.replica} made no commit`)
              break
            }
          }
          counts.writes++
          acknowledged.push({ cid: result.head, by: step.replica })
          log(`${step.replica} wrote ${result.head} (+${result.added} -${result.removed})`)
          await announceAll(step.replica)
          break
        }
        case 'announce':
          counts.messages++
          if (!replicas[step.to].up) break
          await merge(step.to, step.from, step.heads, alone)
          break
        case 'gossip':
          for (const replica of replicas) if (replica.up) await announceOne(replica.id)
          break
        case 'partition':
          counts.partitions++
          log(`partition: {${network.partition().join(',')}} apart`)
          break
        case 'heal':
          network.heal()
          log('healed')
          break
        case 'crash': {
          const replica = replicas[step.replica]
          if (!replica.up) break
          counts.crashes++
          before.set(replica.id, await replica.clock())
          await replica.crash()
          log(`${replica.id} crashed`)
          break
        }
        case 'restart':
          await restart(replicas[step.replica])
          break
      }
    }

    // The end: no more faults, every replica up, and everyone merges from everyone, twice.
    network.heal()
    network.faults = RELIABLE
    for (const replica of replicas) if (!replica.up) await restart(replica)
    for (let round = 0; round < 2; round++) {
      for (const to of replicas) {
        for (const from of replicas) {
          if (to !== from) await merge(to.id, from.id, await from.live.heads())
        }
      }
    }
    const clocks = await Promise.all(replicas.map(async r => await r.clock()))
    const quads = await Promise.all(replicas.map(async r => await r.quads()))
    for (let i = 1; i < replicas.length; i++) {
      if (clocks[i].heads.join() !== clocks[0].heads.join()) fail(`replica ${i} has other heads than replica 0: ${clocks[i].heads.length} against ${clocks[0].heads.length}`)
      if (clocks[i].nodes.join() !== clocks[0].nodes.join()) fail(`replica ${i} holds other commits than replica 0: ${clocks[i].nodes.length} against ${clocks[0].nodes.length}`)
      if (quads[i].join('\n') !== quads[0].join('\n')) fail(`replica ${i} holds other quads than replica 0: ${quads[i].length} against ${quads[0].length}`)
    }
    // The query engine reads the same index: SPARQL counts what match() returned.
    for (let i = 0; i < replicas.length; i++) {
      const counted = await countByQuery(replicas[i])
      if (counted !== quads[i].length) fail(`replica ${i}: SPARQL counts ${counted} quads, match() returned ${quads[i].length}`)
    }
    for (const { cid, by } of acknowledged) {
      for (const replica of replicas) {
        if (!await replica.has(cid)) fail(`commit ${cid} acknowledged by ${by} is missing from replica ${replica.id}`)
      }
    }
    // A replica that joins last, from one peer, agrees too.
    const late = await SimReplica.create(replicas.length, 'reader', false, seedKey(seed, replicas.length), { address: replicas[0].live.address, fetch: replicas[0].live.blocks })
    try {
      await late.live.merge(await replicas[0].live.heads(), { fetch: replicas[0].live.blocks })
      const joined = await late.clock()
      if ((await late.quads()).join('\n') !== quads[0].join('\n') || joined.heads.join() !== clocks[0].heads.join()) fail('a replica merging from replica 0 at the end holds another state')
    } finally {
      await late.close()
    }
  } catch (err) {
    fail(`the simulation stopped: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
  } finally {
    for (const replica of replicas) await replica.close().catch(() => {})
  }

  async function restart (replica: SimReplica): Promise<void> {
    if (replica.up) return
    await replica.restart()
    const was = before.get(replica.id)
    const now = await replica.clock()
    log(`${replica.id} restarted with ${now.nodes.length} commits`)
    if (was === undefined) return
    const lost = was.nodes.filter(n => !now.nodes.includes(n))
    if (lost.length > 0) fail(`replica ${replica.id} lost ${lost.length} acknowledged commits in a crash`)
    if (now.nodes.length !== was.nodes.length) fail(`replica ${replica.id} holds ${now.nodes.length} commits after a crash, ${was.nodes.length} before`)
    if (now.heads.join() !== was.heads.join()) fail(`replica ${replica.id} has other heads after a crash`)
    // Its quads are checked at the end, against every other replica's: a store whose
    // index a crash tore would not heal by merging (merges skip the nodes it holds).
  }

  Object.assign(counts, { dropped: network.counts.dropped, duplicated: network.counts.duplicated, fetchesFailed: network.counts.fetchesFailed })
  return { seed, failures, trace, counts }
}

async function countByQuery (replica: SimReplica): Promise<number> {
  const result = await replica.live.query('SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }')
  if (result.type !== 'bindings') throw new Error('a SELECT answered no bindings')
  for await (const row of result) return Number(row.get('n')?.value)
  return -1
}

/** The command that replays one seed, printed with every failure. */
export function replayCommand (seed: number, options: SimOptions = {}): string {
  const extra = [options.steps !== undefined ? `--steps ${options.steps}` : '', options.persistent === false ? '--memory' : '', options.concurrent === true ? '--concurrent' : ''].filter(s => s !== '').join(' ')
  return `npm run soak -- --seed ${seed} --trace${extra === '' ? '' : ' ' + extra}`
}
