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
 * IRIs (load-file.ts); embedders may supply one for other schemes.
 */
export type DocumentLoader = (iri: string, options: { signal?: AbortSignal }) => Promise<RDF.Quad[]>
