/**
 * Rhizome's composition root: `openGraph` wires an identity, a storage backend and
 * a database manifest into a Graph, the API a dapp, the command line and (later)
 * the replication and query layers use.
 *
 * A Graph is one replica of one database. Every write becomes one signed commit
 * (merkle-clock) applied atomically to the store; writes are serialized, so each
 * commit's parents are exactly the heads at the time it was made.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { CID } from 'multiformats/cid'
import { CID as CIDParser } from 'multiformats/cid'
import type * as RDF from '@rdfjs/types'
import {
  BlankNodeScope, DeltaBuilder, factory, parseRdf, quadKeys, rdfFormat, serializeRdf,
  termKey, throwIfAborted, assertStorableQuad, RhizomeError,
  type KeyQuad, type RdfFormat, type RdfInput, type Removal
} from './quad-model/index.js'
import {
  collectMissing, createCommit, createManifest, decodeManifest, generateKeyPair, Signer, WriterSet, writerId,
  readCar, writeCar, type BlockFetcher, type CarSource, type ClockNode, type Commit, type KeyPair, type Manifest
} from './merkle-clock/index.js'
import { bulkImport, canImportInWorker, loadOrCreateIdentity, SQLITE_STORE_FILE, MemoryBackend, SqliteBackend, StoreClosedError, StoreQuadSource, TermCache, type Backend } from './store/index.js'
import { executeQuery, executeUpdate, type QueryOptions, type QueryResult, type UpdateOptions } from './query/index.js'
import { cidKey, ForeignWriterError, InvalidNodeError, MissingBlockError, WrongDatabaseError } from './merkle-clock/index.js'
import type { Replicator, ReplicatorOptions, FileInput } from './replication/index.js'

export * from './quad-model/index.js'
export * from './merkle-clock/index.js'
export * from './store/index.js'
export {
  executeQuery, executeUpdate, MemorySource, toArray, solutionToRecord, parseSparql, optimizerPasses,
  writeResultsJson, writeResultsXml, writeResultsCsv, writeResultsTsv, writeQuads, termToNTriples,
  QueryError, SparqlSyntaxError, SparqlUnsupportedError, QueryAbortedError, QueryTimeoutError,
  ResultLimitError, UpdateError, LoadError, ResultsFormatError,
  type QuadSource, type QuadPattern, type UpdateTarget, type QuadChange, type DocumentLoader,
  type QueryOptions, type QueryResult, type BindingsResult, type BooleanResult, type QuadsResult, type Solution,
  type UpdateOptions, type UpdateSummary, type QueryErrorCode, type TextPosition
} from './query/index.js'
export type { RdfFormat as ResultsRdfFormat } from './query/index.js'

export interface CreateOptions {
  /** A name for people; not unique. */
  name?: string
  /** Writers besides this replica, as did:key strings. */
  writers?: string[]
  /** Lets any key write. Off by default: only the listed writers may. */
  open?: boolean
  /** Fail with DatabaseExistsError if the folder already holds a database, instead of opening it. */
  exclusive?: boolean
}

export interface OpenGraphOptions {
  /** A folder for the persistent default (SQLite); without one the graph lives in memory. */
  path?: string
  /** A storage backend to use instead of the default. */
  backend?: Backend
  /** The replica's key pair. Default: loaded from (or created in) `path`, or generated for an in-memory graph. */
  identity?: KeyPair
  /** Open a replica of an existing database, by address. Default: the folder's database, or a new one. */
  address?: string | CID
  /** Where to fetch the manifest of `address` when it is not stored locally. */
  fetch?: BlockFetcher
  /** The manifest of a new database. Default: named after nothing, this replica its only writer, closed. */
  create?: CreateOptions | false
  signal?: AbortSignal
}

export class DatabaseNotFoundError extends RhizomeError {
  override name = 'DatabaseNotFoundError'
  constructor (where: string) {
    super('ERR_NO_DATABASE', `no database in ${where}`)
  }
}

export class DatabaseExistsError extends RhizomeError {
  override name = 'DatabaseExistsError'
  constructor (readonly where: string, readonly address: string) {
    super('ERR_DATABASE_EXISTS', `${where} already holds database ${address}`)
  }
}

export class DatabaseMismatchError extends RhizomeError {
  override name = 'DatabaseMismatchError'
  constructor (readonly stored: string, readonly asked: string, what = 'this folder holds database') {
    super('ERR_DATABASE_MISMATCH', `${what} ${asked}, not ${stored}`)
  }
}

export interface CommitResult {
  /** The new commit, or undefined when the write changed nothing and so made no commit. */
  head: CID | undefined
  added: number
  removed: number
}

export interface ImportResult extends CommitResult {
  /** Quads read from the input. */
  quads: number
}

export interface ChangeDetail {
  source: 'local' | 'merge'
  heads: CID[]
  commits: CID[]
  added: number
  removed: number
}

export interface LogEntry {
  cid: CID
  /** This replica's apply order: pass it as `before` to page through older commits. */
  seq: number
  author: string
  time: number
  height: number
  added: number
  removed: number
  parents: CID[]
}

export interface Signal { signal?: AbortSignal }

/** One replica of one database. Emits 'change' (CustomEvent<ChangeDetail>) after every applied commit. */
export class Graph extends EventTarget {
  readonly address: string
  readonly writer: string
  readonly manifest: Manifest
  private readonly writers: WriterSet
  private readonly signer: Signer
  private closed = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly pending: PendingWrite[] = []
  private readonly termCache = new TermCache()

  constructor (readonly backend: Backend, readonly addressCid: CID, manifest: Manifest, identity: KeyPair) {
    super()
    this.address = addressCid.toString()
    this.manifest = manifest
    this.writers = new WriterSet(manifest)
    this.signer = new Signer(identity)
    this.writer = this.signer.id
  }

  /** True when this replica's key may write to the database. */
  get canWrite (): boolean { return this.writers.allows(this.signer.publicKey) }

  /** The database's writers as did:key strings (empty list and `open` for an open database). */
  get writerIds (): string[] { return this.writers.list() }

  private check (): void {
    if (this.closed) throw new StoreClosedError()
  }

  /** Runs writes one at a time, in call order. */
  private exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  async heads (options: Signal = {}): Promise<CID[]> {
    this.check()
    throwIfAborted(options.signal)
    return (await this.backend.heads()).map(h => h.cid)
  }

  /** Blocks of this replica, for another replica's merge. */
  get blocks (): BlockFetcher {
    return { get: async cid => await this.backend.getBlock(cid) }
  }

  /** Adds quads in one commit. */
  async insert (quads: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>, options: Signal = {}): Promise<CommitResult> {
    return await this.update({ insert: quads }, options)
  }

  /** Removes quads (the adds of them this replica has observed) in one commit. */
  async delete (quads: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>, options: Signal = {}): Promise<CommitResult> {
    return await this.update({ delete: quads }, options)
  }

  /**
   * Deletes then inserts, as one commit: readers see both or neither. A quad both
   * deleted and inserted ends up present (its new add survives the remove).
   */
  async update (change: string | QuadChangeInput, options: Signal & UpdateOptions = {}): Promise<CommitResult> {
    this.check()
    if (typeof change === 'string') return await this.sparqlUpdate(change, options)
    const adds = new DeltaBuilder()
    const deletes: KeyQuad[] = []
    const add = (quad: RDF.Quad): void => {
      assertStorableQuad(quad)
      adds.add(termKey(quad.subject), termKey(quad.predicate), termKey(quad.object), termKey(quad.graph))
    }
    const remove = (quad: RDF.Quad): void => {
      assertStorableQuad(quad)
      deletes.push(quadKeys(quad))
    }
    // Arrays and other sync iterables without a turn of the event loop per quad.
    for (const [quads, take] of [[change.insert, add], [change.delete, remove]] as const) {
      if (quads === undefined) continue
      if (Symbol.iterator in quads) for (const quad of quads) take(quad)
      else for await (const quad of quads) take(quad)
    }
    return await this.commitKeys(adds, deletes, options)
  }

  /**
   * Runs a SPARQL 1.1 Update request as one commit: the whole request is computed
   * first, then committed; a request that fails commits nothing.
   */
  private async sparqlUpdate (text: string, options: Signal & UpdateOptions): Promise<CommitResult> {
    const source = new StoreQuadSource(this.backend, this.termCache)
    let result: CommitResult = { head: undefined, added: 0, removed: 0 }
    const target = {
      match: source.match.bind(source),
      estimate: source.estimate.bind(source),
      graphs: source.graphs.bind(source),
      commit: async (change: { delete: RDF.Quad[], insert: RDF.Quad[] }, commitOptions: Signal = {}) => {
        result = await this.update({ delete: change.delete, insert: change.insert }, { signal: commitOptions.signal ?? options.signal })
      }
    }
    await executeUpdate(target, text, options)
    return result
  }

  private async commitKeys (adds: DeltaBuilder, deletes: KeyQuad[], options: Signal): Promise<CommitResult> {
    if (!this.canWrite) throw new ReadOnlyReplicaError(this.writer)
    this.check()
    throwIfAborted(options.signal)
    return await new Promise<CommitResult>((resolve, reject) => {
      this.pending.push({ adds, deletes, signal: options.signal, resolve, reject })
      if (this.pending.length === 1) void this.exclusive(async () => await this.drain())
    })
  }

  /**
   * Batched writes: writes that queue up while one is being stored are signed as a
   * chain of commits (each the parent of the next) and stored by one `apply`, so
   * concurrent writers share its cost. Each write is still its own signed commit,
   * and none is reported done before that `apply` is durable. (The SQLite backend
   * also groups consecutive small applies into one transaction; see its header.)
   * A write with deletes starts a new batch, because the tags it removes must be
   * read from the store after the writes before it are applied.
   */
  private async drain (): Promise<void> {
    while (this.pending.length > 0) {
      let size = 1
      while (size < this.pending.length && size < GROUP_COMMIT_MAX && this.pending[size].deletes.length === 0) size++
      const group = this.pending.splice(0, size)
      let parents: Array<{ cid: CID, height: number }> = await this.backend.heads()
      const commits: Commit[] = []
      const done: Array<{ write: PendingWrite, result: CommitResult }> = []
      for (const write of group) {
        try {
          throwIfAborted(write.signal)
          const removals = write.deletes.length === 0 ? [] : await this.observedRemovals(write.deletes)
          if (write.adds.additions === 0 && removals.length === 0) {
            write.resolve({ head: undefined, added: 0, removed: 0 })
            continue
          }
          for (const removal of removals) write.adds.remove(removal)
          const chunks = write.adds.build()
          const commit = createCommit({ db: this.addressCid, parents, chunks, signer: this.signer })
          parents = [{ cid: commit.node.cid, height: commit.node.value.height }]
          commits.push(commit)
          const added = chunks.reduce((n, c) => n + c.a.length / 4, 0)
          const removed = new Set(removals.map(r => r.quad.join('\n'))).size
          done.push({ write, result: { head: commit.node.cid, added, removed } })
        } catch (err) {
          write.reject(err)
        }
      }
      if (commits.length === 0) continue
      try {
        await this.backend.apply(commits)
      } catch (err) {
        for (const { write } of done) write.reject(err)
        continue
      }
      for (const { write, result } of done) write.resolve(result)
      this.emitChange('local', commits, done.reduce((n, d) => n + d.result.added, 0), done.reduce((n, d) => n + d.result.removed, 0))
    }
  }

  /** Each quad's tags as this replica has observed them: what a remove removes. */
  private async observedRemovals (deletes: KeyQuad[]): Promise<Removal[]> {
    if (deletes.length === 0) return []
    const tags = await this.backend.observedTags(deletes)
    return deletes.flatMap((quad, i) => tags[i].map(tag => ({ quad, tag })))
  }

  /**
   * Reports applied commits. A local write's commits form a chain whose first parents
   * were all the heads, so its last commit is the only head: no need to ask the store,
   * which the hot path of single-quad commits would pay for. A merge asks.
   */
  private emitChange (source: 'local' | 'merge', commits: Commit[], added: number, removed: number): void {
    const dispatch = (heads: CID[]): void => {
      const detail: ChangeDetail = { source, heads, commits: commits.map(c => c.node.cid), added, removed }
      this.dispatchEvent(new CustomEvent('change', { detail }))
    }
    if (source === 'local') {
      dispatch([commits[commits.length - 1].node.cid])
      return
    }
    void this.backend.heads().then(heads => dispatch(heads.map(h => h.cid)), () => {})
  }

  /**
   * Imports RDF text as one commit. Nothing is committed unless the whole input
   * parses: an error on line 900 leaves the graph as it was.
   */
  async import (data: RdfInput, options: { format: RdfFormat | string, graph?: string, baseIRI?: string, onProgress?: (quads: number) => void } & Signal): Promise<ImportResult> {
    this.check()
    const format = rdfFormat(options.format)
    let graph: RDF.NamedNode | undefined
    if (options.graph !== undefined) {
      graph = factory.namedNode(options.graph)
      assertStorableQuad(factory.quad(graph, graph, graph, graph))
    }
    if (canImportInWorker(this.backend)) {
      if (!this.canWrite) throw new ReadOnlyReplicaError(this.writer)
      return await this.exclusive(async () => {
        throwIfAborted(options.signal)
        const { commit, quads } = await bulkImport(this.backend, data, {
          format, baseIRI: options.baseIRI, graph: graph?.value, db: this.addressCid, signer: this.signer, signal: options.signal, onProgress: options.onProgress
        })
        if (commit === undefined) return { head: undefined, added: 0, removed: 0, quads }
        const added = commit.chunks.reduce((n, c) => n + c.a.length / 4, 0)
        this.emitChange('local', [commit], added, 0)
        return { head: commit.node.cid, added, removed: 0, quads }
      })
    }
    const adds = new DeltaBuilder()
    const scope = new BlankNodeScope()
    for await (const quad of parseRdf(data, { format, graph, baseIRI: options.baseIRI, blankNodes: scope, signal: options.signal })) {
      adds.add(termKey(quad.subject), termKey(quad.predicate), termKey(quad.object), termKey(quad.graph))
      if (options.onProgress !== undefined && (adds.additions & 8191) === 0) options.onProgress(adds.additions)
    }
    const quads = adds.additions
    options.onProgress?.(quads)
    const result = await this.commitKeys(adds, [], options)
    return { ...result, quads }
  }

  /** Writes the graph's quads (or one graph's) in an RDF syntax, lazily. */
  export (options: { format: RdfFormat | string, graph?: string, prefixes?: Record<string, string> } & Signal): AsyncIterable<string> {
    this.check()
    const format = rdfFormat(options.format)
    const graph = options.graph === undefined ? undefined : options.graph === '' ? factory.defaultGraph() : factory.namedNode(options.graph)
    return serializeRdf(this.match(undefined, undefined, undefined, graph, { signal: options.signal }), { format, prefixes: options.prefixes, signal: options.signal })
  }

  /**
   * Quads matching a pattern, lazily; an undefined position matches anything, and
   * a DefaultGraph graph matches the default graph only.
   */
  match (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null, options: Signal = {}): AsyncIterable<RDF.Quad> {
    this.check()
    const pattern = { subject: subject ?? undefined, predicate: predicate ?? undefined, object: object ?? undefined, graph: graph ?? undefined }
    return new StoreQuadSource(this.backend, this.termCache).match(pattern, options)
  }

  /**
   * Runs a SPARQL 1.1 query. Bindings and quads come lazily; each run of the
   * result reads one snapshot of the store, so it never sees part of a commit.
   */
  async query (text: string, options: QueryOptions = {}): Promise<QueryResult> {
    this.check()
    const source = new StoreQuadSource(this.backend, this.termCache)
    source.pin()
    let result: QueryResult
    try {
      result = await executeQuery(source, text, options)
    } finally {
      source.unpin()
    }
    if (result.type === 'boolean') return result
    const inner = result
    const pinned = {
      async * [Symbol.asyncIterator] () {
        source.pin()
        try {
          yield * inner as AsyncIterable<never>
        } finally {
          source.unpin()
        }
      }
    }
    return Object.assign(pinned, inner.type === 'bindings' ? { type: inner.type, variables: inner.variables } : { type: inner.type }) as QueryResult
  }

  /** The number of quads in the graph. */
  async size (options: Signal = {}): Promise<number> {
    this.check()
    throwIfAborted(options.signal)
    return await this.backend.count()
  }

  /**
   * Brings in the commits reachable from `heads` that this replica lacks, fetching
   * blocks through `fetch`, verifying every one before anything is applied, and
   * applying them in causal order as one atomic step.
   */
  async merge (heads: Array<CID | string>, options: { fetch: BlockFetcher, maxNodes?: number } & Signal): Promise<{ applied: number, heads: CID[] }> {
    this.check()
    const cids = heads.map(h => typeof h === 'string' ? CIDParser.parse(h) : h)
    return await this.exclusive(async () => {
      const commits = await collectMissing(cids, {
        db: this.addressCid,
        writers: this.writers,
        fetch: options.fetch,
        local: { heightOf: async cid => (await this.backend.node(cid))?.height },
        maxNodes: options.maxNodes,
        signal: options.signal
      })
      await this.applyMerged(commits, options)
      return { applied: commits.length, heads: await this.heads() }
    })
  }

  /** Stores commits from elsewhere (verified, in causal order) and reports the change. */
  private async applyMerged (commits: Commit[], options: Signal): Promise<void> {
    if (commits.length === 0) return
    await this.backend.apply(commits, options)
    let added = 0
    let removed = 0
    for (const c of commits) for (const chunk of c.chunks) { added += chunk.a.length / 4; removed += chunk.r.length / 5 }
    this.emitChange('merge', commits, added, removed)
  }

  /**
   * Merges from a CAR file made by exportCar (or any CAR whose roots are heads of
   * this database). A CAR whose manifest root names another database is refused.
   */
  async mergeCar (data: Uint8Array | CarSource, options: Signal = {}): Promise<{ applied: number, heads: CID[] }> {
    const car = data instanceof Uint8Array ? await readCar(data) : data
    const manifest = await manifestRoot(car)
    if (manifest !== undefined && !manifest.equals(this.addressCid)) throw new DatabaseMismatchError(this.address, manifest.toString(), 'this CAR holds database')
    return await this.merge(car.roots.filter(r => manifest === undefined || !r.equals(manifest)), { fetch: car.fetch, signal: options.signal })
  }

  /**
   * Applies commits whose own bytes already passed the core's checks (verifyNode and
   * verifyPayload), as replication does while blocks stream in, verifying on worker
   * threads. What needs the local clock is checked here: the database, the writer, that
   * every parent is applied or comes earlier in the list, and the height. All or nothing;
   * commits already applied are skipped.
   */
  async applyVerified (commits: Commit[], options: Signal = {}): Promise<{ applied: number, heads: CID[] }> {
    this.check()
    return await this.exclusive(async () => {
      const heights = new Map<string, number>()
      const fresh: Commit[] = []
      const known = await this.backend.nodesOf(commits.map(c => c.node.cid))
      for (let i = 0; i < commits.length; i++) {
        throwIfAborted(options.signal)
        const { cid, value } = commits[i].node
        if (!value.db.equals(this.addressCid)) throw new WrongDatabaseError(cid, this.addressCid, value.db)
        if (!this.writers.allows(value.author)) throw new ForeignWriterError(cid, writerId(value.author))
        if (known[i] !== undefined || heights.has(cidKey(cid))) continue
        let highest = 0
        for (const parent of value.parents) {
          const height = heights.get(cidKey(parent)) ?? (await this.backend.node(parent))?.height
          if (height === undefined) throw new MissingBlockError(parent)
          highest = Math.max(highest, height)
        }
        if (value.height !== highest + 1) throw new InvalidNodeError(cid, `height ${value.height} is not 1 + the highest parent height ${highest}`)
        heights.set(cidKey(cid), value.height)
        fresh.push(commits[i])
      }
      await this.applyMerged(fresh, options)
      return { applied: fresh.length, heads: await this.heads() }
    })
  }

  private replicator?: Replicator

  /**
   * Replicates this graph over libp2p (replication/): announces heads on the database's
   * gossipsub topic, catches up from peers, serves catch-up and bitswap. One replicator
   * per graph; `close()` stops it. Loads libp2p only when called.
   */
  async replicate (options: ReplicatorOptions = {}): Promise<Replicator> {
    this.check()
    if (this.replicator !== undefined) return this.replicator
    const { Replicator } = await import('./replication/index.js')
    const replicator = await Replicator.create(options)
    try {
      await replicator.follow(this)
    } catch (err) {
      await replicator.stop()
      throw err
    }
    this.replicator = replicator
    return replicator
  }

  /**
   * Stores a file (UnixFS, as IPFS does) among this database's blocks and returns its
   * `ipfs://CID` IRI, for quads to name; catch-up carries the file with commits naming it.
   */
  async addFile (content: FileInput, options: Signal = {}): Promise<string> {
    this.check()
    const { addFile, BackendBlockstore } = await import('./replication/index.js')
    return await addFile(new BackendBlockstore(() => [this.backend]), content, options)
  }

  /** Streams a file by its `ipfs://` IRI; fetches missing blocks from peers while replicating. */
  catFile (iri: string, options: Signal = {}): AsyncIterable<Uint8Array> {
    this.check()
    const self = this
    return {
      async * [Symbol.asyncIterator] () {
        if (self.replicator !== undefined) {
          yield * self.replicator.catFile(iri, options)
          return
        }
        const { catFile, BackendBlockstore } = await import('./replication/index.js')
        yield * catFile(new BackendBlockstore(() => [self.backend]), iri, options)
      }
    }
  }

  /** A CAR holding the manifest and every commit block; its roots are the manifest, then the heads. */
  exportCar (options: Signal = {}): AsyncIterable<Uint8Array> {
    this.check()
    const self = this
    return {
      async * [Symbol.asyncIterator] () {
        const heads = await self.heads(options)
        yield * writeCar([self.addressCid, ...heads], self.reachableBlocks(heads, options.signal))
      }
    }
  }

  private async * reachableBlocks (heads: CID[], signal?: AbortSignal): AsyncGenerator<{ cid: CID, bytes: Uint8Array }> {
    const manifest = await this.backend.getBlock(this.addressCid)
    if (manifest !== undefined) yield { cid: this.addressCid, bytes: manifest }
    const seen = new Set<string>()
    const stack = [...heads]
    while (stack.length > 0) {
      throwIfAborted(signal)
      const cid = stack.pop() as CID
      if (seen.has(cid.toString())) continue
      seen.add(cid.toString())
      const bytes = await this.backend.getBlock(cid)
      if (bytes === undefined) continue
      yield { cid, bytes }
      const node = (await import('@ipld/dag-cbor')).decode(bytes) as ClockNode
      for (const p of node.payload ?? []) {
        const payload = await this.backend.getBlock(p)
        if (payload !== undefined) yield { cid: p, bytes: payload }
      }
      stack.push(...node.parents)
    }
  }

  /** Commits, newest first (in this replica's apply order). */
  async log (options: { limit?: number, before?: number } & Signal = {}): Promise<LogEntry[]> {
    this.check()
    const limit = options.limit === undefined ? 100 : Math.min(options.limit, Number.MAX_SAFE_INTEGER)
    const records = await this.backend.log({ limit, before: options.before })
    const { decode } = await import('@ipld/dag-cbor')
    const entries: LogEntry[] = []
    for (const r of records) {
      throwIfAborted(options.signal)
      const bytes = await this.backend.getBlock(r.cid)
      if (bytes === undefined) continue
      const node = decode(bytes) as ClockNode
      let added = 0
      let removed = 0
      const chunks = node.delta !== undefined ? [node.delta] : await Promise.all((node.payload ?? []).map(async p => decode(await this.backend.getBlock(p) ?? new Uint8Array()) as { a: number[], r: number[] }))
      for (const c of chunks) { added += c.a.length / 4; removed += c.r.length / 5 }
      entries.push({ cid: r.cid, seq: r.seq, author: writerId(node.author), time: node.time, height: node.height, added, removed, parents: node.parents })
    }
    return entries
  }

  /** Waits for queued writes, then closes the store. An aborted signal stops the wait, not the close. */
  async close (options: Signal = {}): Promise<void> {
    if (this.closed) return
    await this.replicator?.stop()
    this.closed = true
    if (options.signal === undefined) {
      await this.queue
    } else {
      await Promise.race([this.queue, new Promise(resolve => options.signal?.addEventListener('abort', resolve, { once: true }))])
    }
    await this.backend.close()
  }
}

export interface QuadChangeInput {
  delete?: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>
  insert?: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>
}

interface PendingWrite {
  adds: DeltaBuilder
  deletes: KeyQuad[]
  signal?: AbortSignal
  resolve: (result: CommitResult) => void
  reject: (err: unknown) => void
}

/** Most writes stored in one group commit. */
const GROUP_COMMIT_MAX = 256

/** A write on a replica whose key is not among the database's writers. */
export class ReadOnlyReplicaError extends RhizomeError {
  override name = 'ReadOnlyReplicaError'
  constructor (readonly writer: string) {
    super('ERR_NOT_A_WRITER', `this replica's key ${writer} is not a writer of the database`)
  }
}

/** The database address a CAR names: its first root, when that root is a manifest. */
export async function manifestRoot (car: CarSource): Promise<CID | undefined> {
  const first = car.roots[0]
  if (first === undefined) return undefined
  const bytes = await car.fetch.get(first)
  if (bytes === undefined) return undefined
  try {
    return decodeManifest(first, bytes).cid
  } catch {
    return undefined
  }
}

async function openBackend (options: OpenGraphOptions): Promise<Backend> {
  if (options.backend !== undefined) return options.backend
  if (options.path !== undefined) return await SqliteBackend.open({ path: options.path })
  return new MemoryBackend()
}

export type { Replicator, ReplicatorOptions, ReplicaGraph, FileInput } from './replication/index.js'

/**
 * Starts a replicator that follows no graph yet: to clone a database from peers
 * (`openGraph({ address, fetch: replicator.manifestFetcher() })`, then
 * `replicator.follow(graph)` and `replicator.sync()`), or to pin several databases.
 * Loads libp2p only when called.
 */
export async function createReplicator (options: ReplicatorOptions = {}): Promise<Replicator> {
  const { Replicator } = await import('./replication/index.js')
  return await Replicator.create(options)
}

/** Opens (or creates) a graph: persistent in `path`, or in memory without one. */
export async function openGraph (options: OpenGraphOptions = {}): Promise<Graph> {
  throwIfAborted(options.signal)
  // Opening must not leave files in a folder that holds no database and should not get one.
  if (options.create === false && options.backend === undefined && options.path !== undefined && !existsSync(join(options.path, SQLITE_STORE_FILE))) {
    throw new DatabaseNotFoundError(options.path)
  }
  const identity = options.identity ?? (options.path !== undefined ? loadOrCreateIdentity(options.path) : generateKeyPair())
  const backend = await openBackend(options)
  try {
    const stored = await backend.getMeta('address')
    const asked = options.address === undefined ? undefined : typeof options.address === 'string' ? CIDParser.parse(options.address) : options.address
    let address: CID
    if (stored !== undefined) {
      if (options.create !== undefined && options.create !== false && options.create.exclusive === true) throw new DatabaseExistsError(options.path ?? 'memory', stored)
      address = CIDParser.parse(stored)
      if (asked !== undefined && !asked.equals(address)) throw new DatabaseMismatchError(stored, asked.toString())
    } else if (asked !== undefined) {
      address = asked
      if (!await backend.hasBlock(address)) {
        const bytes = await options.fetch?.get(address, { signal: options.signal })
        if (bytes === undefined) throw new DatabaseNotFoundError(`the local store or the given fetcher (address ${address})`)
        const block = decodeManifest(address, bytes)
        await backend.putBlocks([block])
      }
      await backend.setMeta('address', address.toString())
    } else {
      if (options.create === false) throw new DatabaseNotFoundError(options.path ?? 'memory')
      const create = options.create ?? {}
      const block = createManifest({ name: create.name, writers: [identity.publicKey, ...(create.writers ?? [])], open: create.open })
      await backend.putBlocks([block])
      await backend.setMeta('address', block.cid.toString())
      address = block.cid
    }
    const bytes = await backend.getBlock(address)
    if (bytes === undefined) throw new DatabaseNotFoundError(`the store (manifest ${address} is missing)`)
    const manifest = decodeManifest(address, bytes).value
    return new Graph(backend, address, manifest, identity)
  } catch (err) {
    await backend.close()
    throw err
  }
}
