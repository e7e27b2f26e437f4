/** Numbers as a person reads them: thousands separated ("624,718"), the noun agreeing ("1 quad", "2 quads"). */

const NUMBER = new Intl.NumberFormat('en-US')

/** `n` with thousands separators. */
export function formatNumber (n: number): string {
  return NUMBER.format(n)
}

/** "1 quad", "624,718 quads": `n` and the noun, plural unless n is 1 (`plural` defaults to noun + s). */
export function counted (n: number, noun: string, plural = noun + 's'): string {
  return `${formatNumber(n)} ${n === 1 ? noun : plural}`
}
