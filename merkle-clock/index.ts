/**
 * Merkle clock: every write is a signed node whose parents are the heads it saw.
 *
 * CRDT semantics: the graph is an add-wins observed-remove set of quads (OR-Set,
 * Shapiro et al. 2011) whose operations travel in the nodes of a Merkle-DAG
 * (Merkle-CRDTs, Sanjuan et al., arXiv 2004.00107).
 *   - An add of quad q in node N tags q with N's CID.
 *   - A remove of q in node M lists exactly the tags of q that M's writer had
 *     observed (the tags present at that replica when it wrote M).
 *   - q is in the graph iff some tag of q was added and not removed.
 *   The state is the pair (added tags, removed tags), two grow-only sets merged by
 *   union, so it does not depend on the order or duplication in which nodes arrive.
 *   A concurrent add carries a tag the remove did not observe, so it survives.
 *   Within one node, removes are of earlier tags and adds make the node's own tag,
 *   so "delete then insert the same quad" in one write leaves the quad present.
 * Heads are the nodes no other known node names as a parent. Two replicas holding
 * the same set of nodes therefore have the same quads and the same heads.
 *
 * Invariant: a node is applied only after all its parents, so the store always
 * reflects a causally closed part of the DAG.
 * Cost: the DAG only grows, and a removed quad keeps its history; compaction
 * (checkpoints) is what would bound what a new replica reads.
 */
export * from './errors.js'
export * from './keys.js'
export { identityToMnemonic, identityFromMnemonic, InvalidMnemonicError } from './mnemonic.js'
export * from './block.js'
export * from './manifest.js'
export * from './node.js'
export * from './authenticate.js'
export * from './merge.js'
export * from './causal.js'
export * from './walk.js'
export * from './car.js'
