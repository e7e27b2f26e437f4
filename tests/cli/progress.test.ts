/**
 * The import progress bar, driven by a fake clock into a fake terminal (the bin's
 * stderr is never a terminal under test, so there it must stay silent: see
 * commands.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { ProgressBar } from '../../cli/progress.js'

function terminal (columns?: number): { columns?: number, text: string, write: (s: string) => void } {
  const out = { columns, text: '', write: (s: string) => { out.text += s } }
  return out
}

describe('ProgressBar', () => {
  it('shows the share of the file read, the quads and the rate', () => {
    let now = 0
    const bar = new ProgressBar(terminal(100), { total: 1000, now: () => now })
    now = 2000
    expect(bar.line(50_000, 250)).toBe(`importing [${'#'.repeat(10)}${'-'.repeat(30)}]  25% 50,000 quads, 25,000 quads/s`)
    expect(bar.line(100_000, 1000)).toMatch(/^importing \[#{40}\] 100% 100,000 quads, 50,000 quads\/s, finishing$/)
  })

  it('shows counts only when the size is unknown (standard input)', () => {
    let now = 0
    const bar = new ProgressBar(terminal(), { now: () => now })
    now = 1000
    expect(bar.line(8192, 123)).toBe('importing 8,192 quads, 8,192 quads/s')
  })

  it('redraws in place at most once per interval, within the width, and erases itself', () => {
    let now = 0
    const out = terminal(30)
    const bar = new ProgressBar(out, { total: 100, interval: 100, now: () => now })
    bar.update(1, 1)
    bar.update(2, 2)
    now = 150
    bar.update(3, 3)
    const draws = out.text.split('\r\x1b[K').slice(1)
    expect(draws).toHaveLength(2)
    for (const draw of draws) expect(draw.length).toBeLessThan(30)
    bar.clear()
    expect(out.text.endsWith('\r\x1b[K')).toBe(true)
  })

  it('takes 80 columns for a terminal that reports none', () => {
    const out = terminal(0)
    new ProgressBar(out, { now: () => 0 }).update(1e60)
    // eslint-disable-next-line no-control-regex -- the bar's output starts with the ANSI erase-line escape
    expect(out.text).toMatch(/^\r\x1b\[Kimporting 1,0{3}(,0{3})+$/)
    expect(out.text.length).toBe('\r\x1b[K'.length + 79)
  })
})
