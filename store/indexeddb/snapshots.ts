/**
 * Snapshot readers over IndexedDB. An IndexedDB transaction commits as soon as it has
 * no request pending, so a Reader (which the engine holds across many awaits) cannot
 * keep one open. Instead each write gets a generation, and while a reader is open the
 * writes after its generation keep, in memory, the quads whose visibility they
 * changed and whether each was visible before. A reader's read runs in a transaction
 * of its own, ordered with the writes by the backend's queue, and corrects what it
 * reads: a quad changed since the reader's generation is taken as it was then.
 * Invariant: every write that committed after a reader opened is in the log while
 * that reader is open, so its reads see exactly the quads of its generation.
 * Cost: nothing while no reader is open across a write; otherwise memory for the
 * changed quads until the oldest such reader is released, and each read of that
 * reader looks the changes up (linear in the number of changes since it opened).
 */
import type { QuadKey } from './schema.js'
import { quadKeyString, type VisibilityChange } from './or-set-index.js'

/** What changed since a generation: quad key → visible then, visible now. */
export type ChangesSince = Map<string, { quad: QuadKey, was: boolean, now: boolean }>

export class SnapshotLog {
  /** The generation of the latest committed write. */
  generation = 0
  private readonly open = new Map<number, number>()
  private readonly log: Array<{ generation: number, changes: readonly VisibilityChange[] }> = []

  /** Registers a reader at the current generation; returns it. */
  acquire (): number {
    this.open.set(this.generation, (this.open.get(this.generation) ?? 0) + 1)
    return this.generation
  }

  release (generation: number): void {
    const n = (this.open.get(generation) ?? 1) - 1
    if (n === 0) this.open.delete(generation)
    else this.open.set(generation, n)
    const oldest = Math.min(...this.open.keys())
    while (this.log.length > 0 && this.log[0].generation <= oldest) this.log.shift()
    if (this.open.size === 0) this.log.length = 0
  }

  /** Records a committed write (called once it committed, before any later read runs). */
  committed (changes: readonly VisibilityChange[]): void {
    this.generation++
    // Kept only if a reader opened before this write is still open.
    if (changes.length > 0 && [...this.open.keys()].some(g => g < this.generation)) this.log.push({ generation: this.generation, changes })
  }

  /** The quads changed after `generation`, as they were then and as they are now. */
  since (generation: number): ChangesSince {
    const out: ChangesSince = new Map()
    for (const entry of this.log) {
      if (entry.generation <= generation) continue
      for (const change of entry.changes) {
        const key = quadKeyString(...change.quad)
        const seen = out.get(key)
        if (seen === undefined) out.set(key, { quad: change.quad, was: change.was, now: change.now })
        else seen.now = change.now
      }
    }
    return out
  }
}

/** Whether `quad` matches a pattern of bound positions. */
export function matches (quad: QuadKey, pattern: readonly [number?, number?, number?, number?]): boolean {
  for (let i = 0; i < 4; i++) if (pattern[i] !== undefined && pattern[i] !== quad[i]) return false
  return true
}
