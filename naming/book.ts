/**
 * A replica's names: the newest valid record it holds for each name it publishes or
 * follows, and the root blocks those records point at. Every record goes through `offer`:
 * checked (records.ts) and compared with the one held, so a forged, expired, oversized,
 * V1-only or replayed record never replaces a good one, whichever way it came (pubsub,
 * Fetch, the routing API, this replica's own publish). Records are self-certifying, so a
 * replica keeps and re-serves records of names it does not own.
 */
import type { CID } from 'multiformats/cid'
import { nameSigner, parseName, type IpnsName } from './name.js'
import { assertNotOlder, checkRecord, isNewer, makeRecord, MAX_LIFETIME_MS, rootOfValue, type CheckedRecord } from './records.js'
import { decodeRoot, encodeRoot, type NameRoot } from './root.js'
import { deriveNameKeys, checkLabel } from './derive.js'
import { InvalidRootError, TooManyNamesError } from './errors.js'
import type { NameState, NameStorage } from './storage.js'
import type { KeyPair } from '../merkle-clock/index.js'
import { RhizomeError } from '../quad-model/index.js'

export interface PublishOptions {
  /** How long the record is valid, ms. Default DEFAULT_LIFETIME_MS (24 h); at most 48 h. */
  lifetime?: number
  /** The record's TTL, ms. Default DEFAULT_TTL_MS (5 min). */
  ttl?: number
  /** The least sequence to use (a sequence seen on the network for this name). */
  after?: bigint
}

export interface HeldName {
  name: string
  /** The label, for a name this replica publishes. */
  label?: string
  /** Whether this replica owns (publishes) the name or follows it. */
  role: 'published' | 'followed'
  record?: CheckedRecord
  root?: NameRoot & { cid: CID }
}

/** Most names a book keeps records for (bounded resources: a peer cannot make it keep more). */
export const MAX_NAMES = 10_000

export class NameBook extends EventTarget {
  private readonly records = new Map<string, CheckedRecord>()
  private state: NameState = { published: {}, followed: [] }
  private writing: Promise<void> = Promise.resolve()

  private constructor (private readonly storage: NameStorage) { super() }

  /** Opens the book; records that no longer pass (expired ones) are kept out. */
  static async open (storage: NameStorage): Promise<NameBook> {
    const book = new NameBook(storage)
    book.state = await storage.readState()
    for (const [name, bytes] of await storage.readRecords()) {
      try {
        book.records.set(name, await checkRecord(parseName(name), bytes))
      } catch {}
    }
    return book
  }

  /** The record held for a name while it is valid. */
  held (name: string): CheckedRecord | undefined {
    const record = this.records.get(name)
    if (record === undefined) return undefined
    if (record.expires <= Date.now()) {
      this.records.delete(name)
      return undefined
    }
    return record
  }

  /**
   * Checks a record of `name` and keeps it when it is newer than the one held; answers
   * whether it was kept. A record that fails is a RecordError; an older one (a replay) is
   * ERR_RECORD_REPLAYED when `strict`, otherwise it is ignored (the network sends old
   * records innocently, to a peer that already has a newer one).
   */
  async offer (name: IpnsName, bytes: Uint8Array, options: { strict?: boolean } = {}): Promise<{ kept: boolean, record: CheckedRecord }> {
    const record = await checkRecord(name, bytes)
    const held = this.held(name.name)
    if (options.strict === true) assertNotOlder(name, record, held)
    if (!isNewer(name, record, held)) return { kept: false, record: held ?? record }
    if (!this.records.has(name.name) && this.records.size >= MAX_NAMES) throw new TooManyNamesError(MAX_NAMES)
    this.records.set(name.name, record)
    await this.serial(async () => await this.storage.writeRecord(name.name, bytes))
    this.dispatchEvent(new CustomEvent('record', { detail: { name: name.name, record } }))
    return { kept: true, record }
  }

  /**
   * Makes and keeps a new record of `label`'s name pointing at a root of `root`: the
   * sequence is one past the highest this replica has seen for the name.
   */
  async publish (identity: KeyPair, label: string, root: NameRoot, options: PublishOptions = {}): Promise<{ name: IpnsName, record: CheckedRecord, root: CID, label: string }> {
    const normal = checkLabel(label)
    const lifetime = options.lifetime ?? undefined
    if (lifetime !== undefined && (!Number.isFinite(lifetime) || lifetime < 1000 || lifetime > MAX_LIFETIME_MS)) {
      throw new RhizomeError('ERR_INVALID_OPTIONS', `a lifetime is between 1 s and 48 h (the DHT refuses longer records), not ${lifetime} ms`)
    }
    const { privateKey, name } = await nameSigner(deriveNameKeys(identity, normal))
    const block = await encodeRoot(root)
    await this.putRoot(block.cid, block.bytes)
    const last = this.records.get(name.name)?.sequence ?? -1n
    const after = options.after ?? -1n
    const sequence = (last > after ? last : after) + 1n
    const bytes = await makeRecord(privateKey, block.cid, sequence, lifetime, options.ttl)
    if (this.state.published[normal] !== name.name) {
      this.state.published[normal] = name.name
      await this.saveState()
    }
    const { record } = await this.offer(name, bytes, { strict: true })
    return { name, record, root: block.cid, label: normal }
  }

  /** Keeps records of `name` from now on (a name resolved or pinned). */
  async follow (name: IpnsName): Promise<void> {
    if (this.isOwned(name.name) || this.state.followed.includes(name.name)) return
    if (this.names().length >= MAX_NAMES) throw new TooManyNamesError(MAX_NAMES)
    this.state.followed.push(name.name)
    await this.saveState()
  }

  isOwned (name: string): boolean {
    return Object.values(this.state.published).includes(name)
  }

  /** Every name this replica publishes or follows. */
  names (): string[] {
    return [...new Set([...Object.values(this.state.published), ...this.state.followed])]
  }

  /** The labels this replica publishes, with their names. */
  published (): Array<{ label: string, name: string }> {
    return Object.entries(this.state.published).map(([label, name]) => ({ label, name }))
  }

  /** What is held for each name published or followed, for listing. */
  async list (): Promise<HeldName[]> {
    const labels = new Map(Object.entries(this.state.published).map(([label, name]) => [name, label]))
    const out: HeldName[] = []
    for (const name of this.names()) {
      const record = this.held(name)
      let root: (NameRoot & { cid: CID }) | undefined
      if (record !== undefined) {
        try { root = await this.root(name, record) } catch {}
      }
      out.push({ name, label: labels.get(name), role: labels.has(name) ? 'published' : 'followed', record, root })
    }
    return out
  }

  /**
   * A root block held. Only the root of a record held is looked for in storage: the
   * replicator's blockstore asks here for every block a peer wants that no database has.
   */
  async rootBlock (cid: CID): Promise<Uint8Array | undefined> {
    const value = `/ipfs/${cid.toString()}`
    for (const record of this.records.values()) {
      if (record.value === value) return await this.storage.readRoot(cid.toString())
    }
    return undefined
  }

  /** Keeps a root block after checking it is one (hash, shape). */
  async putRoot (cid: CID, bytes: Uint8Array): Promise<NameRoot> {
    const root = await decoded(cid.toString(), cid, bytes)
    await this.serial(async () => await this.storage.writeRoot(cid.toString(), bytes))
    return root
  }

  /** The root a record points at, from the blocks held; `fetch` gets a missing one (bitswap). */
  async root (name: string, record: CheckedRecord, fetch?: (cid: CID) => Promise<Uint8Array>): Promise<NameRoot & { cid: CID }> {
    const cid = rootOfValue(record.value)
    if (cid === undefined) throw new InvalidRootError(name, `its value is ${JSON.stringify(record.value.slice(0, 100))}, not /ipfs/ and a CID`)
    const held = await this.storage.readRoot(cid.toString())
    if (held !== undefined) return { ...await decoded(name, cid, held), cid }
    if (fetch === undefined) throw new InvalidRootError(name, `the root block ${cid} is not held here`)
    const bytes = await fetch(cid)
    const root = await decoded(name, cid, bytes)
    await this.serial(async () => await this.storage.writeRoot(cid.toString(), bytes))
    return { ...root, cid }
  }

  private async saveState (): Promise<void> {
    const state = structuredClone(this.state)
    await this.serial(async () => await this.storage.writeState(state))
  }

  private async serial (write: () => Promise<void>): Promise<void> {
    const next = this.writing.then(write)
    this.writing = next.catch(() => {})
    await next
  }
}

/** The root in `bytes`, or InvalidRootError naming `what` (the name, or the block). */
async function decoded (what: string, cid: CID, bytes: Uint8Array): Promise<NameRoot> {
  const root = await decodeRoot(cid, bytes)
  if (typeof root === 'string') throw new InvalidRootError(what, root)
  return root
}
