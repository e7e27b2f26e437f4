/**
 * A graph's names (naming/ on this graph's identity and folder): `graph.publish(label)`
 * points the label's name at this database's current heads; `graph.resolve(name)` finds
 * the newest record of any name; `graph.names()` lists what this replica publishes or
 * follows. While the graph replicates, its names are served and followed on the network
 * (replication/names.ts), and each label it publishes is republished, with the heads of
 * the moment, when half of its record's lifetime has passed.
 */
import type { CID } from 'multiformats/cid'
import type { KeyPair } from '../merkle-clock/index.js'
import type { HeldName, NameBook, NameStorage, PublishOptions, CheckedRecord, NameRoot } from '../naming/index.js'
import type { NameService, Replicator, ReplicatorOptions } from '../replication/index.js'
import { RhizomeError, withTimeout, type AbortOptions } from '../quad-model/index.js'

export interface NamePublishOptions extends AbortOptions {
  /** How long the record is valid, ms. Default 24 h; at most 48 h (the DHT refuses longer records). */
  lifetime?: number
  /** The record's TTL, ms: how long resolvers may cache it. Default 5 minutes. */
  ttl?: number
  /** While replicating: how long to ask peers for this name's newest sequence first, and to wait for `confirm`, ms. Default 2,000 and 10,000. */
  timeout?: number
  /** While replicating: wait until this many connected peers (at most all) hold the new record (asked over Fetch). Default 0. */
  confirm?: number
}

export interface NameResolveOptions extends AbortOptions {
  /** Longest to wait for a record when none is held and no connected peer has one, ms. Default 10,000. */
  timeout?: number
}

export interface PublishedName {
  /** The name, `k51…` (use it as /ipns/k51…). */
  name: string
  label: string
  sequence: bigint
  /** The root block the record points at (`/ipfs/<root>`). */
  root: CID
  database: string
  heads: CID[]
  validUntil: Date
  /** Peers the record was sent to on its topic (0 when not replicating). */
  recipients: number
  /** Peers that answered holding the new record, when `confirm` was asked. */
  confirmed: number
}

export interface ResolvedName {
  name: string
  /** The database's address. */
  database: string
  /** Its heads when the record was made. */
  heads: CID[]
  root: CID
  sequence: bigint
  validUntil: Date
}

/** What a GraphNames needs of its graph. */
export interface NamingHost {
  readonly addressCid: CID
  readonly identity: KeyPair
  heads: (options?: AbortOptions) => Promise<CID[]>
  putBlock: (cid: CID, bytes: Uint8Array) => Promise<void>
  replicatorIfAny: () => Replicator | undefined
}

const REPUBLISH_CHECK_MS = 60_000

/** naming/, loaded on first use (it brings the `ipns` package and @libp2p/crypto). */
const loadNaming = async (): Promise<typeof import('../naming/index.js')> => await import('../naming/index.js')

/** Fetches a root block from the replicator's peers over bitswap. */
const rootFetcher = (replicator: Replicator, signal?: AbortSignal) => async (cid: CID): Promise<Uint8Array> => await replicator.fetchBlock(cid, { signal })

function resolvedOf (name: string, record: CheckedRecord, root: NameRoot & { cid: CID }): ResolvedName {
  return { name, database: root.database.toString(), heads: root.heads, root: root.cid, sequence: record.sequence, validUntil: new Date(record.expires) }
}

/**
 * Resolves `text` on `replicator` with a book of its own (in memory, nothing held): the
 * record, its root, and the root block (fetched over bitswap when the peers hold it).
 */
export async function resolveFresh (replicator: Replicator, text: string, options: NameResolveOptions = {}): Promise<{ name: string, record: CheckedRecord, root: NameRoot & { cid: CID }, rootBytes: Uint8Array, resolved: ResolvedName }> {
  const naming = await loadNaming()
  const name = naming.parseName(text)
  const book = await naming.NameBook.open(naming.memoryNameStorage())
  const record = await replicator.names(book).resolve(name, options)
  const root = await book.root(name.name, record, rootFetcher(replicator, options.signal))
  const rootBytes = (await book.rootBlock(root.cid))!
  return { name: name.name, record, root, rootBytes, resolved: resolvedOf(name.name, record, root) }
}

/** A record as the delegated routing API serves it. */
export interface ServedRecord {
  /** The marshalled record (application/vnd.ipfs.ipns-record). */
  bytes: Uint8Array
  /** Its TTL, ms. */
  ttl: number
  /** When it stops being valid, ms since the epoch. */
  expires: number
}

/**
 * The records a replica holds, by name, for the delegated routing API (`GET` and `PUT
 * /routing/v1/ipns/{name}`): `get` answers the valid record held, `put` checks one
 * (signature, validity, size; an older one is ERR_RECORD_REPLAYED) for a name published
 * or followed here (others: ERR_NAME_NOT_FOLLOWED), keeps it, and sends it to peers while
 * replicating.
 */
export interface NameRecords {
  get: (name: string) => Promise<ServedRecord | undefined>
  put: (name: string, bytes: Uint8Array) => Promise<{ sequence: bigint }>
}

async function recordsOf (book: NameBook, service: () => Promise<NameService | undefined>): Promise<NameRecords> {
  const naming = await loadNaming()
  return {
    get: async text => {
      const record = book.held(naming.parseName(text).name)
      return record === undefined ? undefined : { bytes: record.bytes, ttl: Number((record.record.ttl ?? 0n) / 1_000_000n), expires: record.expires }
    },
    put: async (text, bytes) => {
      const name = naming.parseName(text)
      if (!book.names().includes(name.name)) throw new RhizomeError('ERR_NAME_NOT_FOLLOWED', `/ipns/${name.name} is not a name this replica publishes or follows, so it keeps no record of it (rhizome pin --name follows one)`)
      const { record } = await book.offer(name, bytes, { strict: true })
      await (await service())?.announce(name).catch(() => 0)
      return { sequence: record.sequence }
    }
  }
}

export class GraphNames {
  private opening?: Promise<NameBook>
  private timer?: ReturnType<typeof setInterval>
  private readonly lifetimes = new Map<string, number>()

  /** @param storage where the names live; default: in memory (naming's memoryNameStorage) */
  constructor (private readonly host: NamingHost, private readonly storage?: () => NameStorage | Promise<NameStorage>) {}

  async book (): Promise<NameBook> {
    this.opening ??= (async () => {
      const { NameBook, memoryNameStorage } = await loadNaming()
      return await NameBook.open(await this.storage?.() ?? memoryNameStorage())
    })()
    return await this.opening
  }

  async publish (label: string, options: NamePublishOptions = {}): Promise<PublishedName> {
    options.signal?.throwIfAborted()
    const naming = await loadNaming()
    const book = await this.book()
    const service = await this.service()
    const normal = naming.checkLabel(label)
    const { name } = await naming.nameSigner(naming.deriveNameKeys(this.host.identity, normal))
    // A name restored on another machine: learn the sequence the network holds first.
    let after: bigint | undefined
    if (service !== undefined && book.held(name.name) === undefined) {
      after = await service.resolve(name, { signal: options.signal, timeout: options.timeout ?? 2_000, wait: false }).then(r => r.sequence, () => undefined)
    }
    const heads = await this.host.heads(options)
    const root: NameRoot = { database: this.host.addressCid, heads }
    const publishOptions: PublishOptions = { lifetime: options.lifetime, ttl: options.ttl, after }
    const made = await book.publish(this.host.identity, normal, root, publishOptions)
    const rootBytes = await book.rootBlock(made.root)
    if (rootBytes !== undefined) await this.host.putBlock(made.root, rootBytes)
    this.lifetimes.set(normal, options.lifetime ?? naming.DEFAULT_LIFETIME_MS)
    const recipients = service === undefined ? 0 : await service.announce(made.name).catch(() => 0)
    let confirmed = 0
    if (service !== undefined && (options.confirm ?? 0) > 0) {
      confirmed = await service.confirm(made.name, made.record.sequence, { atLeast: options.confirm, signal: withTimeout(options.signal, options.timeout ?? 10_000) })
    }
    return {
      name: made.name.name,
      label: made.label,
      sequence: made.record.sequence,
      root: made.root,
      database: this.host.addressCid.toString(),
      heads,
      validUntil: new Date(made.record.expires),
      recipients,
      confirmed
    }
  }

  async resolve (text: string, options: NameResolveOptions = {}): Promise<ResolvedName> {
    options.signal?.throwIfAborted()
    const naming = await loadNaming()
    const name = naming.parseName(text)
    const book = await this.book()
    const service = await this.service()
    let record: CheckedRecord | undefined
    if (service === undefined) {
      record = book.held(name.name)
      if (record === undefined) throw new naming.NameNotFoundError(name.name, 'none is held here and the graph is not replicating (graph.replicate() with peers)')
    } else {
      await book.follow(name)
      record = await service.resolve(name, options)
    }
    const replicator = this.host.replicatorIfAny()
    return resolvedOf(name.name, record, await book.root(name.name, record, replicator === undefined ? undefined : rootFetcher(replicator, options.signal)))
  }

  /** Keeps a record of `text` (checked again) and its root block, and follows the name. */
  async adopt (text: string, record: Uint8Array, root: CID, rootBytes: Uint8Array): Promise<void> {
    const naming = await loadNaming()
    const name = naming.parseName(text)
    const book = await this.book()
    await book.putRoot(root, rootBytes)
    await this.host.putBlock(root, rootBytes)
    await book.follow(name)
    await book.offer(name, record)
    this.host.replicatorIfAny()?.nameServiceIfAny?.watch(name)
  }

  /** The records held, for the routing API. */
  async records (): Promise<NameRecords> {
    return await recordsOf(await this.book(), async () => await this.service())
  }

  async list (): Promise<HeldName[]> {
    return await (await this.book()).list()
  }

  /** The name service when the graph replicates (started on first use). */
  private async service (): Promise<NameService | undefined> {
    const replicator = this.host.replicatorIfAny()
    if (replicator === undefined) return undefined
    return replicator.names(await this.book())
  }

  /** Starts serving names on `replicator` and republishing this graph's labels. */
  async attach (replicator: Replicator): Promise<void> {
    replicator.names(await this.book())
    this.timer = setInterval(() => { void this.republishDue().catch(() => {}) }, REPUBLISH_CHECK_MS)
    this.timer.unref?.()
  }

  /** Republishes each label of this database whose record has passed half its lifetime. */
  async republishDue (now = Date.now()): Promise<string[]> {
    const book = await this.book()
    const done: string[] = []
    for (const { label, name } of book.published()) {
      const record = book.held(name)
      const lifetime = this.lifetimes.get(label) ?? (await loadNaming()).DEFAULT_LIFETIME_MS
      if (record !== undefined) {
        const root = await book.root(name, record).catch(() => undefined)
        if (root === undefined || !root.database.equals(this.host.addressCid)) continue
        if (record.expires - now > lifetime / 2) continue
      }
      await this.publish(label, { lifetime })
      done.push(label)
    }
    return done
  }

  stop (): void {
    clearInterval(this.timer)
  }
}

/**
 * Resolves a name without a database of one's own: a replicator is started with
 * `options` (its peers), asked, and stopped. What `rhizome name resolve` runs outside a
 * database folder.
 */
export async function resolveName (text: string, options: ReplicatorOptions & NameResolveOptions = {}): Promise<ResolvedName> {
  const { Replicator } = await import('../replication/index.js')
  const { timeout, signal, ...replicate } = options
  const replicator = await Replicator.create(replicate)
  try {
    return (await resolveFresh(replicator, text, { timeout, signal })).resolved
  } finally {
    await replicator.stop()
  }
}

export interface FollowNamesOptions extends AbortOptions {
  /** The folder whose `names/` keeps the records (an availability peer's folder). Default: in memory. */
  folder?: string
  /** Called once per database a followed name points at (to open and follow it); errors are passed to `onError`. */
  onDatabase: (address: string, name: string) => Promise<void>
  onError?: (err: unknown, name: string) => void
  /** How often records held are sent again on their topics, ms. Default 300,000 (NameServiceOptions). */
  rebroadcastInterval?: number
}

/**
 * Makes `replicator` an availability peer for names (`rhizome pin --name`): it keeps the
 * newest valid record of each name (and of names followed before, kept in `folder`),
 * answers them over Fetch, sends them again on their topics while they are valid, and
 * calls `onDatabase` for each database they point at, now and whenever a newer record
 * points elsewhere. Records are self-certifying: a pinner need not own a name.
 */
export async function followNames (replicator: Replicator, names: string[], options: FollowNamesOptions): Promise<{ names: string[], records: NameRecords }> {
  const naming = await loadNaming()
  const parsed = names.map(n => naming.parseName(n))
  const book = await naming.NameBook.open(options.folder === undefined ? naming.memoryNameStorage() : naming.fileNameStorage(`${options.folder}/names`))
  const service = replicator.names(book, { rebroadcastInterval: options.rebroadcastInterval })
  const opened = new Set<string>()
  const onRecord = async (name: string, record: CheckedRecord): Promise<void> => {
    try {
      const root = await book.root(name, record, rootFetcher(replicator, options.signal))
      const address = root.database.toString()
      if (opened.has(address)) return
      opened.add(address)
      await options.onDatabase(address, name)
    } catch (err) {
      options.onError?.(err, name)
    }
  }
  book.addEventListener('record', event => {
    const { name, record } = (event as CustomEvent<{ name: string, record: CheckedRecord }>).detail
    void onRecord(name, record)
  })
  for (const name of parsed) {
    await book.follow(name)
    service.watch(name)
  }
  for (const name of book.names()) {
    const record = book.held(name)
    if (record !== undefined) await onRecord(name, record)
    else void service.resolve(naming.parseName(name), { signal: options.signal }).catch(() => {})
  }
  return { names: book.names(), records: await recordsOf(book, async () => service) }
}

/** The name in `text` (k51…, /ipns/k51…, ipns://k51…, a peer ID), in its k51… form; InvalidNameError (ERR_INVALID_NAME) when it is none. */
export async function normalizeName (text: string): Promise<string> {
  return (await loadNaming()).parseName(text).name
}
