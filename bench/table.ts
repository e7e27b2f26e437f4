/**
 * Plain-text tables and number formats for the benchmark reports: fixed-width
 * columns, numbers right-aligned, so the output reads in a terminal and pastes
 * into the README as a code block.
 */

export interface Column {
  title: string
  align?: 'left' | 'right'
}

/** Renders rows under their column titles, with a rule under the titles. */
export function renderTable (columns: Column[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells
    .map((cell, i) => columns[i]?.align === 'left' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))
    .join('  ')
    .trimEnd()
  return [
    line(columns.map((c) => c.title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line)
  ].join('\n')
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** 624718 → "624,718". */
export function integer (n: number): string {
  return grouped.format(n)
}

/** A rate such as quads/s, to three significant figures, grouped: "169,000". */
export function rate (n: number): string {
  if (!Number.isFinite(n)) return '?'
  const digits = Math.max(0, Math.floor(Math.log10(Math.abs(n))) - 2)
  return grouped.format(Math.round(n / 10 ** digits) * 10 ** digits)
}

/** Milliseconds, as "12 ms" or "1.23 s". */
export function duration (ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}

/** Bytes, as "300 B", "1.5 KiB" or "130 MiB". */
export function bytes (n: number): string {
  if (!Number.isFinite(n)) return '?'
  if (Math.abs(n) < 1024) return `${Math.round(n)} B`
  if (Math.abs(n) < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  return `${Math.round(n / 1024 ** 2)} MiB`
}

/** The median of a non-empty list. */
export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}
