/**
 * The add-wins observed-remove set (OR-Set) that turns commits into the quad index:
 * the one statement of the rule, which every backend drives through its `OrSetIndex`.
 *
 * The rule (Shapiro et al., "A comprehensive study of Convergent and Commutative
 * Replicated Data Types", 2011, §3.3.5; the CRDT of merkle-clock/index.ts):
 *   - an addition of quad q in node N adds the tag (q, N); q is visible while it has a tag.
 *   - a removal (q, T) deletes the tag (q, T): only the adds its writer observed, so an
 *     add concurrent with a remove wins.
 *   - a removal whose node T is not applied yet (a well-behaved writer never sends one)
 *     leaves a tombstone (q, T), and T's add of q, when it arrives, is void: the result
 *     does not depend on arrival order. Tombstones are kept for good.
 *   - within a commit, each chunk's removals apply before its additions.
 *   - the node becomes a head in place of those of its parents that are heads.
 *   - a commit already applied is skipped, so re-applying is a no-op.
 * Precondition: commits come in causal order (every parent applied or earlier in the
 * same call); `parentsKnown` checks it where the caller cannot vouch for it (replay).
 * Invariant: the visible quads are exactly those holding a tag, whatever order
 * concurrent commits arrived in.
 *
 * The index interface is synchronous and works a chunk at a time (arrays of ids, not
 * one call per quad): a backend applies a whole call inside one transaction without
 * yielding, and the SQLite backend turns each array into multi-row statements.
 * Cost: one node lookup per commit and per removal's tag, one tombstone probe per
 * addition only while the store holds any tombstone.
 */
import type { CID } from 'multiformats/cid'
import { cidKey, type Commit } from '../merkle-clock/index.js'
import { compareBytes } from '../quad-model/index.js'
import type { NodeRecord } from './backend.js'

/** What the OR-Set needs of a backend's index, inside the backend's transaction. */
export interface OrSetIndex {
  /** The local sequence numbers of applied nodes, in order; undefined for one not applied. */
  nodeSeqs: (cids: readonly CID[]) => Array<number | undefined>
  /** Records a commit's node and stores its blocks; returns the node's local sequence number. */
  addNode: (commit: Commit) => number
  /** Ids of canonical term strings, made for new ones. */
  termIds: (keys: readonly string[]) => number[]
  /**
   * Adds the tag of node `seq` to quads given as indexes into `ids`, four per quad
   * (s, p, o, g); a quad without a tag becomes visible.
   */
  addTags: (local: ArrayLike<number>, ids: readonly number[], seq: number) => void
  /**
   * Removes tags: `quads` holds s, p, o, g ids four per quad, `seqs` the tag's node per
   * quad. A tag not there is ignored; a quad left without a tag disappears.
   */
  removeTags: (quads: readonly number[], seqs: readonly number[]) => void
  /** Whether any tombstone is stored (most stores never hold one: adds skip the probe). */
  hasTombstones: () => boolean
  putTombstone: (s: number, p: number, o: number, g: number, tag: CID) => void
  hasTombstone: (s: number, p: number, o: number, g: number, tag: CID) => boolean
  /** The heads, sorted by CID bytes. */
  heads: () => readonly NodeRecord[]
  setHeads: (heads: readonly NodeRecord[]) => void
}

/** Applies commits in order inside the caller's transaction; returns those not applied before. */
export function applyCommits (index: OrSetIndex, commits: readonly Commit[]): Commit[] {
  const applied: Commit[] = []
  for (const commit of commits) if (applyCommit(index, commit)) applied.push(commit)
  return applied
}

/** Applies one commit; false when it was applied before. */
export function applyCommit (index: OrSetIndex, commit: Commit): boolean {
  const cid = commit.node.cid
  if (index.nodeSeqs([cid])[0] !== undefined) return false
  const seq = index.addNode(commit)
  for (const chunk of commit.chunks) {
    const ids = index.termIds(chunk.t)
    const r = chunk.r
    if (r.length > 0) {
      const tagSeqs = index.nodeSeqs(chunk.c)
      const removed: number[] = []
      const seqs: number[] = []
      for (let i = 0; i < r.length; i += 5) {
        const s = ids[r[i]]; const p = ids[r[i + 1]]; const o = ids[r[i + 2]]; const g = ids[r[i + 3]]
        const tag = tagSeqs[r[i + 4]]
        if (tag === undefined) index.putTombstone(s, p, o, g, chunk.c[r[i + 4]])
        else { removed.push(s, p, o, g); seqs.push(tag) }
      }
      if (seqs.length > 0) index.removeTags(removed, seqs)
    }
    index.addTags(index.hasTombstones() ? unvoided(index, chunk.a, ids, cid) : chunk.a, ids, seq)
  }
  index.setHeads(nextHeads(index.heads(), { cid, height: commit.node.value.height, seq }, commit.node.value.parents))
  return true
}

/** The additions (local indexes, four per quad) that no tombstone of node `cid` voids. */
function unvoided (index: OrSetIndex, a: readonly number[], ids: readonly number[], cid: CID): number[] {
  const kept: number[] = []
  for (let i = 0; i < a.length; i += 4) {
    if (index.hasTombstone(ids[a[i]], ids[a[i + 1]], ids[a[i + 2]], ids[a[i + 3]], cid)) continue
    kept.push(a[i], a[i + 1], a[i + 2], a[i + 3])
  }
  return kept
}

/** The heads once `record` is applied: it replaces those of its parents that are heads (sorted by CID bytes). */
export function nextHeads (heads: readonly NodeRecord[], record: NodeRecord, parents: readonly CID[]): NodeRecord[] {
  const kept = heads.filter(h => !parents.some(parent => parent.equals(h.cid)))
  const at = kept.findIndex(h => compareBytes(h.cid.bytes, record.cid.bytes) > 0)
  kept.splice(at === -1 ? kept.length : at, 0, record)
  return kept
}

/** Whether every parent of these commits is applied or among them, earlier (the causal precondition). */
export function parentsKnown (index: Pick<OrSetIndex, 'nodeSeqs'>, commits: readonly Commit[]): boolean {
  const earlier = new Set<string>()
  for (const commit of commits) {
    const parents = commit.node.value.parents
    const seqs = index.nodeSeqs(parents)
    for (let i = 0; i < parents.length; i++) {
      if (seqs[i] === undefined && !earlier.has(cidKey(parents[i]))) return false
    }
    earlier.add(cidKey(commit.node.cid))
  }
  return true
}
