/**
 * A one-line progress bar for long imports, redrawn in place on a terminal. The
 * caller shows it only when stderr is a TTY, so pipes and logs never see it.
 * Redraws at most every `interval` ms: an import reports progress far more often.
 */
export interface ProgressOutput {
  write: (text: string) => unknown
  columns?: number
}

export interface ProgressOptions {
  /** Total input bytes, when known (a file); without it the bar shows counts only. */
  total?: number
  /** Minimum ms between redraws. Default 100. */
  interval?: number
  /** The clock, in ms. Default Date.now. */
  now?: () => number
}

export class ProgressBar {
  private readonly started: number
  private lastDraw = -Infinity
  private drawn = false

  constructor (private readonly out: ProgressOutput, private readonly options: ProgressOptions = {}) {
    this.started = this.now()
  }

  private now (): number {
    return (this.options.now ?? Date.now)()
  }

  /** Reports quads parsed so far and, when known, input bytes consumed. */
  update (quads: number, bytes?: number): void {
    const now = this.now()
    if (now - this.lastDraw < (this.options.interval ?? 100)) return
    this.lastDraw = now
    this.draw(this.line(quads, bytes, now))
  }

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  clear (): void {
    if (this.drawn) this.out.write('\r\x1b[K')
    this.drawn = false
  }

  /** The bar's text for a state; exposed for tests. */
  line (quads: number, bytes: number | undefined, now = this.now()): string {
    const seconds = Math.max((now - this.started) / 1000, 0.001)
    const counts = `${quads.toLocaleString('en-US')} quads, ${Math.round(quads / seconds).toLocaleString('en-US')} quads/s`
    const total = this.options.total
    if (total === undefined || total <= 0 || bytes === undefined) return `importing ${counts}`
    const fraction = Math.min(bytes / total, 1)
    const percent = `${Math.floor(fraction * 100)}%`.padStart(5)
    // With the whole file read, what is left is the tail of parsing and the commit.
    const finishing = fraction >= 1 ? ', finishing' : ''
    const room = this.columns() - counts.length - finishing.length - percent.length - 'importing [] '.length - 2
    const width = Math.max(10, Math.min(40, room))
    const filled = Math.round(fraction * width)
    return `importing [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${percent} ${counts}${finishing}`
  }

  private columns (): number {
    // A terminal that reports no width (0, as under `script`) gets the classic 80.
    return this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 80
  }

  private draw (text: string): void {
    const columns = this.columns()
    this.out.write('\r\x1b[K' + text.slice(0, Math.max(columns - 1, 1)))
    this.drawn = true
  }
}
