/** Numbers as a person reads them: thousands separated ("624,718"), the noun agreeing ("1 quad", "2 quads"). */

let intl: Intl.NumberFormat | undefined

/**
 * `n` with thousands separators. Integers (every count the CLI prints) are grouped here:
 * creating an Intl.NumberFormat loads ICU's locale data, about 13 ms of every command's start.
 */
export function formatNumber (n: number): string {
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',')
  intl ??= new Intl.NumberFormat('en-US')
  return intl.format(n)
}

/** "1 quad", "624,718 quads": `n` and the noun, plural unless n is 1 (`plural` defaults to noun + s). */
export function counted (n: number, noun: string, plural = noun + 's'): string {
  return `${formatNumber(n)} ${n === 1 ? noun : plural}`
}
