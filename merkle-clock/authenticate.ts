/**
 * Authentication by a same-author descendant: one signature check for a chain of commits.
 *
 * A node's signature covers the CIDs of its parents, and a CID is the sha2-256 of its
 * block's bytes, author included. So when node C is authentic (its author A's) and
 * lists P as a parent, and P names A as its author too, A has signed P's exact bytes:
 * P is A's without checking P's own signature. Nobody else can make bytes with P's CID,
 * and A could have signed anything anyway. By induction a chain of one author's nodes is
 * authenticated by the signature at its newest node.
 *
 * The rule, over a set of nodes that passed every other check (verifyNodeContent):
 *   a node is authentic iff its own signature holds, or some authentic node of the set
 *   with the same author lists it as a parent.
 * That is a least fixpoint, so the outcome depends only on the set, never on the order
 * in which signatures are checked. A parent by another author is not endorsed: it needs
 * its own signature, or a same-author descendant of its own, in the set.
 *
 * Consequence: a writer can get a node whose own signature is bad accepted, by linking it
 * from a good node of its own. That grants it nothing it could not sign; but a replica
 * that meets such a node without its endorser in the same set rejects it. The DAG and its
 * CRDT state are unchanged by the rule (the same bytes are applied either way).
 *
 * Cost: one signature check per author per set instead of one per node (Ed25519
 * verification is 100-250 µs, more than decoding and storing a small commit). When a
 * check fails, every node it would have endorsed is checked on its own (a rare path,
 * taken only for a misbehaving writer or a forger).
 */
import type { CID } from 'multiformats/cid'
import { equalBytes } from '../quad-model/index.js'
import { cidKey } from './block.js'
import type { ClockNode } from './node.js'

/** A node to authenticate: its CID and the fields the rule reads. */
export interface Endorsable {
  cid: CID
  value: Pick<ClockNode, 'author' | 'parents'>
}

export interface AuthenticateOptions<T extends Endorsable> {
  /** Checks the own signatures of `nodes`: one verdict per node, in order. */
  check: (nodes: T[]) => Promise<boolean[]>
  /** Nodes known authentic already (default none): never checked, and they endorse as any authentic node does. */
  authentic?: (node: T) => boolean
  /** Use same-author endorsement (default true); false checks every node's own signature. */
  endorse?: boolean
}

/** Whether two author keys are the same bytes. */
export function sameAuthor (a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b)
}

/**
 * Authenticates `nodes` with as few signature checks as the rule allows: first the nodes
 * no same-author node of the set lists as a parent, then, if one of those fails, every
 * node still unauthenticated. Resolves to the nodes that are not authentic, in input order
 * (empty when all are).
 */
export async function authenticate<T extends Endorsable> (nodes: readonly T[], options: AuthenticateOptions<T>): Promise<T[]> {
  const endorse = options.endorse ?? true
  const known = options.authentic ?? (() => false)
  const byKey = new Map<string, T>()
  for (const node of nodes) byKey.set(cidKey(node.cid), node)
  /** The parents of each node that it would endorse: those in the set with the same author. */
  const endorses = new Map<T, T[]>()
  const endorsed = new Set<T>()
  if (endorse) {
    for (const node of nodes) {
      const own: T[] = []
      for (const parent of node.value.parents) {
        const p = byKey.get(cidKey(parent))
        if (p !== undefined && p !== node && sameAuthor(p.value.author, node.value.author)) {
          own.push(p)
          endorsed.add(p)
        }
      }
      if (own.length > 0) endorses.set(node, own)
    }
  }

  const authentic = new Set<T>()
  const spread = (from: T): void => {
    const stack = [from]
    while (stack.length > 0) {
      const node = stack.pop() as T
      if (authentic.has(node)) continue
      authentic.add(node)
      for (const parent of endorses.get(node) ?? []) if (!authentic.has(parent)) stack.push(parent)
    }
  }
  const checked = new Set<T>()
  const checkAll = async (batch: T[]): Promise<void> => {
    if (batch.length === 0) return
    const verdicts = await options.check(batch)
    if (verdicts.length !== batch.length) throw new RangeError('one verdict per node is needed')
    batch.forEach((node, i) => {
      checked.add(node)
      if (verdicts[i]) spread(node)
    })
  }

  for (const node of nodes) if (known(node)) spread(node)
  // The tops: what nothing in the set endorses. When all their signatures hold, every node is authentic.
  await checkAll(nodes.filter(n => !authentic.has(n) && !endorsed.has(n)))
  // A top failed (or `endorse` is off and there were none): check the rest on their own.
  await checkAll(nodes.filter(n => !authentic.has(n) && !checked.has(n)))
  return nodes.filter(n => !authentic.has(n))
}
