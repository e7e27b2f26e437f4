/**
 * Blank-node scoping. A blank node label is local to the document (or the write)
 * it appears in, so two imports of a file containing `_:b0` must produce two
 * different nodes. Each write gets a scope that renames every label it meets to
 * a label unique across all replicas: a random 96-bit prefix for the write and a
 * counter within it. The same label within one write maps to the same node, so
 * the graph stays isomorphic to what went in.
 */
import { randomBytes } from 'node:crypto'
import { base32 } from 'multiformats/bases/base32'

export class BlankNodeScope {
  private readonly prefix: string
  private readonly labels = new Map<string, string>()

  constructor (random: (size: number) => Uint8Array = randomBytes) {
    // base32 without its multibase 'b' prefix, lower case: valid in every RDF syntax's blank node label
    this.prefix = 'r' + base32.baseEncode(random(12))
  }

  /** The store-wide label for `label` within this write. */
  rename (label: string): string {
    let renamed = this.labels.get(label)
    if (renamed === undefined) {
      renamed = `${this.prefix}_${this.labels.size.toString(36)}`
      this.labels.set(label, renamed)
    }
    return renamed
  }
}
