/** The shapes the Graph's methods take and give. */
import type { CID } from 'multiformats/cid'
import type * as RDF from '@rdfjs/types'

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

/** The detail of a Graph's 'change' event. */
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

export interface QuadChangeInput {
  delete?: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>
  insert?: Iterable<RDF.Quad> | AsyncIterable<RDF.Quad>
}
