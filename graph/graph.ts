/**
 * A Graph is one replica of one database: the API a dapp, the command line and the
 * HTTP endpoint use. It composes the layers below: writes go through the write path
 * (writes.ts) into signed commits (merkle-clock) that the store (store/) applies
 * atomically; queries run the SPARQL engine (query/) over a snapshot of the store;
 * merges verify everything before the store sees it; replication (replication/) is
 * loaded only when asked for, and reaches the store only through `store`, the narrow
 * view it declares, and through `applyVerified` and `merge` for commits.
 *
 * The backend is private to the graph: one route from outside into the store.
 */
import { CID } from 'multiformats/cid'
import type * as RDF from '@rdfjs/types'
import type { EventEmitter } from 'node:events'
import {
  assertStorableQuad, BlankNodeScope, countChanges, DeltaBuilder, factory, parseRdf, quadKeys, rdfFormat,
  termKey, throwIfAborted, RhizomeError, type AbortOptions, type KeyQuad, type RdfFormat, type RdfInput
} from '../quad-model/index.js'
import {
  checkCausalBatch, cidKey, collectMissing, manifestRoot, readCar, Signer, WriterSet,
  type BlockFetcher, type CarSource, type Commit, type KeyPair, type Manifest
} from '../merkle-clock/index.js'
import { bulkImport, canImportInWorker, ReadOnlyError, StoreClosedError, StoreQuadSource, TermCache, type Backend } from '../store/index.js'
import { executeQuery, executeUpdate, type QueryOptions, type QueryResult, type UpdateOptions } from '../query/index.js'
import type { FileInput, ReplicaGraph, ReplicaStore, Replicator, ReplicatorOptions } from '../replication/index.js'
import type { HeldName, NameStorage } from '../naming/index.js'
import { GraphNames, type NameRecords, type NamePublishOptions, type NameResolveOptions, type PublishedName, type ResolvedName } from './names.js'
import { DatabaseMismatchError, ReadOnlyReplicaError } from './errors.js'
import { parseCid } from './cid.js'
import type { ChangeDetail, CommitResult, ImportResult, LogEntry, QuadChangeInput } from './types.js'
import { carOf, logOf } from './history.js'
import { WritePath } from './writes.js'
import { patternTerm, QuadStream, quadsOf, settle } from './rdfjs.js'
import { exportRdf, type ExportOptions } from './export.js'

/**
 * Inputs up to this size are imported on the ordinary commit path, in this thread: a
 * few thousand quads, for which starting the bulk-import worker (tens of milliseconds)
 * would cost more than the parse. Larger ones, and streams of unknown size, go to the
 * worker when the store offers bulk writes. Both paths give the same quads and chunks.
 */
export const SMALL_IMPORT_BYTES = 256 * 1024

export interface ImportOptions extends AbortOptions {
  format: RdfFormat | string
  /** Put triples and default-graph quads into this named graph. */
  graph?: string
  baseIRI?: string
  /** The input's size in bytes when known (a file's), so a small stream takes the ordinary commit path. */
  size?: number
  onProgress?: (quads: number) => void
}

/**
 * One replica of one database. Emits 'change' (CustomEvent<ChangeDetail>) after every
 * applied commit. It is an RDF/JS Source and Store (rdf.js.org/stream-spec): `match`
 * returns a Stream (that is also an AsyncIterable), and `import(stream)`, `remove`,
 * `removeMatches` and `deleteGraph` each make one commit and emit 'end' or 'error'.
 */
export class Graph extends EventTarget implements ReplicaGraph, RDF.Store {
  readonly address: string
  readonly writer: string
  readonly manifest: Manifest
  private readonly writers: WriterSet
  private readonly signer: Signer
  private closed = false
  private readonly termCache = new TermCache()
  private readonly writes: WritePath
  private replicator?: Replicator

  /** Made by openGraph (open.ts), which checks the manifest against the store. */
  private readonly naming: GraphNames

  constructor (private readonly backend: Backend, readonly addressCid: CID, manifest: Manifest, identity: KeyPair, names?: () => NameStorage | Promise<NameStorage>) {
    super()
    this.naming = new GraphNames({
      addressCid,
      identity,
      heads: async options => await this.heads(options),
      putBlock: async (cid, bytes) => { if (!this.readOnly) await backend.putBlocks([{ cid, bytes }]) },
      replicatorIfAny: () => this.replicator
    }, names)
    this.address = addressCid.toString()
    this.manifest = manifest
    this.writers = new WriterSet(manifest)
    this.signer = new Signer(identity)
    this.writer = this.signer.id
    this.writes = new WritePath(backend, addressCid, this.signer, (commits, added, removed) => this.emitChange('local', commits, added, removed))
  }

  /** True when this replica's key may write to the database. */
  get canWrite (): boolean { return this.writers.allows(this.signer.publicKey) }

  /** The database's writers as did:key strings (empty list and `open` for an open database). */
  get writerIds (): string[] { return this.writers.list() }

  /** The view of the store that replication reads (replication/graph.ts); commits go through applyVerified and merge. */
  get store (): ReplicaStore {
    const b = this.backend
    return {
      getBlock: async cid => await b.getBlock(cid),
      hasBlock: async cid => await b.hasBlock(cid),
      putBlocks: async blocks => await b.putBlocks(blocks),
      node: async cid => await b.node(cid),
      heads: async () => await b.heads(),
      log: async options => await b.log(options),
      nodeCount: async () => await b.nodeCount()
    }
  }

  private check (): void {
    if (this.closed) throw new StoreClosedError()
  }

  /** Whether the graph was opened read-only (openGraph's `readOnly`): it answers queries and exports and takes no writes. */
  get readOnly (): boolean {
    return this.backend.readOnly === true
  }

  /** Throws ReadOnlyError for a write to a read-only graph, before any of its work. */
  private writable (what: string): void {
    this.check()
    if (this.readOnly) throw new ReadOnlyError(what)
  }

  async heads (options: AbortOptions = {}): Promise<CID[]> {
    this.check()
    throwIfAborted(options.signal)
    return (await this.backend.heads()).map(h => h.cid)
  }

  /** Blocks of this replica, for another replica's merge. */
  get blocks (): BlockFetcher {
    return { get: async cid => await this.backend.getBlock(cid) }
  }

  /** Adds quads in one commit. */
  async insert (quads: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>, options: AbortOptions = {}): Promise<CommitResult> {
    return await this.update({ insert: quads }, options)
  }

  /** Removes quads (the adds of them this replica has observed) in one commit. */
  async delete (quads: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>, options: AbortOptions = {}): Promise<CommitResult> {
    return await this.update({ delete: quads }, options)
  }

  /**
   * Deletes then inserts, as one commit: readers see both or neither. A quad both
   * deleted and inserted ends up present (its new add survives the remove). A string
   * is a SPARQL 1.1 Update request, computed whole and then committed once.
   */
  async update (change: string | QuadChangeInput, options: AbortOptions & UpdateOptions = {}): Promise<CommitResult> {
    this.writable('an update')
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

  private async sparqlUpdate (text: string, options: AbortOptions & UpdateOptions): Promise<CommitResult> {
    const source = new StoreQuadSource(this.backend, this.termCache)
    let result: CommitResult = { head: undefined, added: 0, removed: 0 }
    const target = {
      match: source.match.bind(source),
      estimate: source.estimate.bind(source),
      graphs: source.graphs.bind(source),
      commit: async (change: { delete: RDF.Quad[], insert: RDF.Quad[] }, commitOptions: AbortOptions = {}) => {
        result = await this.update({ delete: change.delete, insert: change.insert }, { signal: commitOptions.signal ?? options.signal })
      }
    }
    await executeUpdate(target, text, options)
    return result
  }

  private async commitKeys (adds: DeltaBuilder, deletes: KeyQuad[], options: AbortOptions): Promise<CommitResult> {
    if (!this.canWrite) throw new ReadOnlyReplicaError(this.writer)
    this.check()
    return await this.writes.commit(adds, deletes, options.signal)
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
   * Imports RDF as one commit. Nothing is committed unless the whole input parses: an
   * error on line 900 leaves the graph as it was. Blank nodes are scoped to the import.
   * Called with a Stream of quads and no options, it is RDF/JS Store's `import`: the
   * quads are inserted as one commit, and the emitter returned emits 'end' or 'error'.
   */
  import (stream: RDF.Stream): EventEmitter
  import (data: RdfInput, options: ImportOptions): Promise<ImportResult>
  import (data: RdfInput | RDF.Stream, options?: ImportOptions): Promise<ImportResult> | EventEmitter {
    if (options === undefined) return settle(async () => await this.insert(quadsOf(data as RDF.Stream)))
    return this.importRdf(data as RdfInput, options)
  }

  /** RDF/JS Store: removes the quads of a stream, in one commit. */
  remove (stream: RDF.Stream): EventEmitter {
    return settle(async () => await this.delete(quadsOf(stream)))
  }

  /** RDF/JS Store: removes every quad matching a pattern, in one commit. */
  removeMatches (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null): EventEmitter {
    return settle(async () => await this.delete(this.match(subject, predicate, object, graph)))
  }

  /** RDF/JS Store: removes every quad of one graph (an IRI string names a named graph), in one commit. */
  deleteGraph (graph: RDF.Quad_Graph | string): EventEmitter {
    return this.removeMatches(undefined, undefined, undefined, typeof graph === 'string' ? factory.namedNode(graph) : graph)
  }

  private async importRdf (data: RdfInput, options: ImportOptions): Promise<ImportResult> {
    this.writable('an import')
    const format = rdfFormat(options.format)
    let graph: RDF.NamedNode | undefined
    if (options.graph !== undefined) {
      graph = factory.namedNode(options.graph)
      assertStorableQuad(factory.quad(graph, graph, graph, graph))
    }
    if (!isSmall(data, options.size) && canImportInWorker(this.backend)) {
      if (!this.canWrite) throw new ReadOnlyReplicaError(this.writer)
      return await this.writes.exclusive(async () => {
        throwIfAborted(options.signal)
        const { commit, quads } = await bulkImport(this.backend, data, {
          format, baseIRI: options.baseIRI, graph: graph?.value, db: this.addressCid, signer: this.signer, signal: options.signal, onProgress: options.onProgress
        })
        if (commit === undefined) return { head: undefined, added: 0, removed: 0, quads }
        const { added } = countChanges(commit.chunks)
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
    throwIfAborted(options.signal)
    const result = await this.commitKeys(adds, [], options)
    return { ...result, quads }
  }

  /**
   * Writes the quads in an RDF syntax, lazily (export.ts): every graph's in N-Quads and
   * TriG (each graph one block); in N-Triples and Turtle the default graph's only, unless
   * `graph` names one or `union` merges them all; Turtle and TriG grouped by subject, with
   * the common prefixes the data uses.
   */
  export (options: { format: RdfFormat | string } & ExportOptions): AsyncIterable<string> {
    this.check()
    const format = rdfFormat(options.format)
    return exportRdf({
      match: (s, p, o, g, opts) => this.match(s, p, o, g, opts),
      graphNames: async signal => {
        const result = await this.query('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g', { signal })
        const names: RDF.Term[] = []
        if (result.type === 'bindings') for await (const row of result) names.push(row.get('g')!)
        return names
      }
    }, format, options)
  }

  /**
   * Quads matching a pattern, lazily, as an RDF/JS Stream that is also an AsyncIterable;
   * an undefined, null or variable position matches anything, and a DefaultGraph graph
   * matches the default graph only. The store is read when the stream is first read.
   */
  match (subject?: RDF.Term | null, predicate?: RDF.Term | null, object?: RDF.Term | null, graph?: RDF.Term | null, options: AbortOptions = {}): QuadStream<RDF.Quad> {
    this.check()
    const pattern = { subject: patternTerm(subject), predicate: patternTerm(predicate), object: patternTerm(object), graph: patternTerm(graph) }
    return new QuadStream(() => new StoreQuadSource(this.backend, this.termCache).match(pattern, options))
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
  async size (options: AbortOptions = {}): Promise<number> {
    this.check()
    throwIfAborted(options.signal)
    return await this.backend.count()
  }

  /**
   * Brings in the commits reachable from `heads` that this replica lacks, fetching
   * blocks through `fetch`, verifying every one before anything is applied, and
   * applying them in causal order as one atomic step.
   */
  async merge (heads: Array<CID | string>, options: { fetch: BlockFetcher, maxNodes?: number } & AbortOptions): Promise<{ applied: number, heads: CID[] }> {
    this.writable('a merge')
    const cids = heads.map(parseCid)
    return await this.writes.exclusive(async () => {
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
  private async applyMerged (commits: Commit[], options: AbortOptions): Promise<void> {
    if (commits.length === 0) return
    await this.backend.apply(commits, options)
    const { added, removed } = countChanges(commits.flatMap(c => c.chunks))
    this.emitChange('merge', commits, added, removed)
  }

  /**
   * Merges from a CAR file made by exportCar (or any CAR whose roots are heads of
   * this database). A CAR whose manifest root names another database is refused.
   */
  async mergeCar (data: Uint8Array | CarSource, options: AbortOptions = {}): Promise<{ applied: number, heads: CID[] }> {
    this.writable('a merge')
    const car = data instanceof Uint8Array ? await readCar(data) : data
    const manifest = await manifestRoot(car)
    if (manifest !== undefined && !manifest.equals(this.addressCid)) throw new DatabaseMismatchError(this.address, manifest.toString(), 'this CAR holds database')
    return await this.merge(car.roots.filter(r => manifest === undefined || !r.equals(manifest)), { fetch: car.fetch, signal: options.signal })
  }

  /**
   * Applies commits whose own bytes already passed the core's checks (verifyNode and
   * verifyPayload), as replication does while blocks stream in, verifying on worker
   * threads. What needs the local clock is checked by merkle-clock's causal rule, the
   * one merges apply (checkCausalBatch). All or nothing; commits already applied are skipped.
   */
  async applyVerified (commits: Commit[], options: AbortOptions = {}): Promise<{ applied: number, heads: CID[] }> {
    this.writable('a merge')
    return await this.writes.exclusive(async () => {
      const known = await this.backend.nodesOf(commits.map(c => c.node.cid))
      const seen = new Set<string>()
      const fresh = commits.filter((c, i) => {
        const key = cidKey(c.node.cid)
        if (known[i] !== undefined || seen.has(key)) return false
        seen.add(key)
        return true
      })
      await checkCausalBatch(fresh.map(c => c.node), {
        db: this.addressCid,
        writers: this.writers,
        heightOf: async cid => (await this.backend.node(cid))?.height,
        signal: options.signal
      })
      await this.applyMerged(fresh, options)
      return { applied: fresh.length, heads: await this.heads() }
    })
  }

  /**
   * Replicates this graph over libp2p (replication/): announces heads on the database's
   * gossipsub topic, catches up from peers, serves catch-up and bitswap. One replicator
   * per graph; `close()` stops it. Loads libp2p only when called.
   */
  async replicate (options: ReplicatorOptions = {}): Promise<Replicator> {
    this.writable('replication')
    if (this.replicator !== undefined) return this.replicator
    const { Replicator } = await import('../replication/index.js')
    const replicator = await Replicator.create(options)
    await this.replicateOn(replicator)
    return replicator
  }

  /**
   * Replicates on a replicator made elsewhere (openGraph({ ipns }) resolves the name on it
   * first). The graph owns it from now on: `close()` stops it; a failure here stops it too.
   */
  async replicateOn (replicator: Replicator): Promise<void> {
    this.writable('replication')
    try {
      if (this.replicator !== undefined) throw new RhizomeError('ERR_INVALID_OPTIONS', 'this graph already replicates')
      await replicator.follow(this)
      this.replicator = replicator
      await this.naming.attach(replicator)
    } catch (err) {
      this.replicator = undefined
      await replicator.stop()
      throw err
    }
  }

  /**
   * Points the name of `label` (derived from this replica's identity: naming/derive.ts) at
   * this database's current heads: a new IPNS record, kept here and, while replicating,
   * sent to peers (and republished before it expires). Answers the name (`k51…`) and the
   * record's sequence. The same identity and label give the same name on any machine.
   */
  async publish (label: string, options: NamePublishOptions = {}): Promise<PublishedName> {
    this.writable('publishing a name')
    return await this.naming.publish(label, options)
  }

  /**
   * The database and heads a name (`k51…` or `/ipns/k51…`) points at: the newest valid
   * record held here or, while replicating, answered by connected peers. Open the
   * database with `openGraph({ ipns: name })`, or by the address answered.
   */
  async resolve (name: string, options: NameResolveOptions = {}): Promise<ResolvedName> {
    this.check()
    return await this.naming.resolve(name, options)
  }

  /** Keeps a record resolved elsewhere (openGraph({ ipns })) and follows its name. */
  async adoptName (name: string, record: Uint8Array, root: CID, rootBytes: Uint8Array): Promise<void> {
    await this.naming.adopt(name, record, root, rootBytes)
  }

  /** Catches up from the replicator's peers until every one of `heads` is here (a name's root's): a sync, then bitswap for what is still missing. */
  async catchUp (heads: CID[], replicator: Replicator, signal?: AbortSignal): Promise<void> {
    await replicator.sync({ address: this.address, signal }).catch(err => { if (signal?.aborted === true) throw err })
    const missing: CID[] = []
    for (const head of heads) if (await this.backend.node(head) === undefined) missing.push(head)
    if (missing.length > 0) await this.merge(missing, { fetch: { get: async (cid, options) => await replicator.fetchBlock(cid, options) }, signal })
  }

  /** The records this replica holds, by name: what `rhizome serve` answers on /routing/v1/ipns/. */
  async nameRecords (): Promise<NameRecords> {
    this.check()
    return await this.naming.records()
  }

  /** The names this replica publishes or follows, with the record held for each. */
  async names (): Promise<HeldName[]> {
    this.check()
    return await this.naming.list()
  }

  /**
   * Stores a file (UnixFS, as IPFS does) among this database's blocks and returns its
   * `ipfs://CID` IRI, for quads to name; catch-up carries the file with commits naming it.
   */
  async addFile (content: FileInput, options: AbortOptions = {}): Promise<string> {
    this.writable('adding a file')
    const { addFile, BackendBlockstore } = await import('../replication/index.js')
    return await addFile(new BackendBlockstore(() => [this.backend]), content, options)
  }

  /** Streams a file by its `ipfs://` IRI; fetches missing blocks from peers while replicating. */
  catFile (iri: string, options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    this.check()
    const self = this
    return {
      async * [Symbol.asyncIterator] () {
        if (self.replicator !== undefined) {
          yield * self.replicator.catFile(iri, options)
          return
        }
        const { catFile, BackendBlockstore } = await import('../replication/index.js')
        yield * catFile(new BackendBlockstore(() => [self.backend]), iri, options)
      }
    }
  }

  /** A CAR holding the manifest and every commit block; its roots are the manifest, then the heads. */
  exportCar (options: AbortOptions = {}): AsyncIterable<Uint8Array> {
    this.check()
    return carOf(this.backend, this.addressCid, async () => await this.heads(options), options.signal)
  }

  /** Commits, newest first (in this replica's apply order). */
  async log (options: { limit?: number, before?: number } & AbortOptions = {}): Promise<LogEntry[]> {
    this.check()
    return await logOf(this.backend, options)
  }

  /** Waits for queued writes, then closes the store. An aborted signal stops the wait, not the close. */
  async close (options: AbortOptions = {}): Promise<void> {
    if (this.closed) return
    this.naming.stop()
    await this.replicator?.stop()
    this.closed = true
    if (options.signal === undefined) {
      await this.writes.idle
    } else {
      await Promise.race([this.writes.idle, new Promise(resolve => options.signal?.addEventListener('abort', resolve, { once: true }))])
    }
    await this.backend.close()
  }
}

/** Whether an input is known to be small enough for the ordinary commit path. */
function isSmall (data: RdfInput, size: number | undefined): boolean {
  if (typeof data === 'string') return data.length <= SMALL_IMPORT_BYTES
  if (data instanceof Uint8Array) return data.byteLength <= SMALL_IMPORT_BYTES
  return size !== undefined && size <= SMALL_IMPORT_BYTES
}
