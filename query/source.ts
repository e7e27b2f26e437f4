/**
 * The narrow interface the SPARQL engine needs from storage. query/ never imports
 * store/: the store implements these interfaces (as Oxigraph's evaluator declares
 * the one trait it scans through). `MemorySource` in memory-source.ts is the
 * reference implementation used by the tests.
 */
import type * as RDF from '@rdfjs/types'

/**
 * A quad pattern: an undefined position matches anything. `graph: DefaultGraph`
 * matches the default graph only; `graph: undefined` matches the default graph and
 * every named graph. Terms are matched by RDF term identity (lexical form kept as
 * written: "01"^^xsd:integer does not match "1"^^xsd:integer).
 */
export interface QuadPattern {
  subject?: RDF.Term
  predicate?: RDF.Term
  object?: RDF.Term
  graph?: RDF.Term
}

export interface QuadSource {
  /** Lazily yields every quad matching the pattern; stops when the consumer stops. */
  match(pattern: QuadPattern, options?: { signal?: AbortSignal }): AsyncIterable<RDF.Quad>
  /**
   * A cheap estimate of how many quads match (used only to order joins): it must not
   * scan, may be approximate, and 0 should mean "certainly none".
   */
  estimate(pattern: QuadPattern): number | Promise<number>
  /** The names of the non-empty named graphs (not the default graph). */
  graphs(options?: { signal?: AbortSignal }): AsyncIterable<RDF.NamedNode | RDF.BlankNode>
  /**
   * Optional access by the source's own integer term ids. Where it is present the
   * engine evaluates what it can (ids/) on ids and turns only the answers
   * into RDF/JS terms, as Oxigraph's evaluator works on encoded terms.
   */
  readonly ids?: IdAccess
}

/**
 * Quads as term ids. An id is a positive integer below 2^31 naming one RDF term
 * of the source for its whole life; 0 means "none". An id pattern is four ids
 * (subject, predicate, object, graph), 0 leaving a position free; a free graph
 * matches the default graph and every named graph, as in QuadPattern.
 */
export interface IdAccess {
  /** The ids of storable terms (IRIs, blank nodes, literals, the default graph); 0 for a term the source does not hold. */
  termIds(terms: readonly RDF.Term[]): Promise<Uint32Array>
  /** The terms of ids this source gave out, in order. */
  idTerms(ids: ArrayLike<number>): Promise<RDF.Term[]>
  /**
   * Every quad matching each of several id patterns, read at once (a batch of
   * index lookups): `patterns` holds four ids per pattern; the matches come
   * pattern after pattern as s, p, o, g ids, and `ends[i]` counts the quads up to
   * the end of pattern i's. `limit` caps the matches of each pattern.
   */
  matchIds(patterns: Uint32Array, options?: { limit?: number, signal?: AbortSignal }): Promise<{ quads: Uint32Array, ends: Uint32Array }>
  /** Lazily, the quads matching one id pattern, as s, p, o, g ids, a batch at a time. */
  scanIds(pattern: Uint32Array, options?: { signal?: AbortSignal }): AsyncIterable<Uint32Array>
  /** Cheap estimates of the matches of each of several id patterns (four ids each), as `estimate`. */
  estimateIds(patterns: Uint32Array): Promise<ArrayLike<number>>
}

/** A change computed from one SPARQL Update request. */
export interface QuadChange {
  delete: RDF.Quad[]
  insert: RDF.Quad[]
}

export interface UpdateTarget extends QuadSource {
  /**
   * Applies one SPARQL Update request atomically: all deletions, then all
   * insertions, become one commit. Deleting an absent quad or inserting a present
   * one is not an error. A quad in both lists ends up present.
   */
  commit(change: QuadChange, options?: { signal?: AbortSignal }): Promise<void>
}

/**
 * Fetches an RDF document for `LOAD <iri>`. The engine ships a loader for `file:`
 * IRIs (eval/load-file.ts); embedders may supply one for other schemes.
 */
export type DocumentLoader = (iri: string, options: { signal?: AbortSignal }) => Promise<RDF.Quad[]>
