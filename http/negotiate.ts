/**
 * Content negotiation (RFC 9110 §12.5.1): picks the offered media type the Accept
 * header ranks highest. Ties go to the more specific range, then to the server's
 * order of offers; a missing Accept takes the first offer; q=0 refuses a type.
 * Cost: linear in the header's ranges times the offers (both a handful).
 */
interface Range { type: string, subtype: string, q: number, specificity: number }

function parseAccept (header: string): Range[] {
  const ranges: Range[] = []
  for (const part of header.split(',')) {
    const [media, ...params] = part.trim().split(';')
    const [type, subtype] = media.trim().toLowerCase().split('/')
    if (type === undefined || type === '' || subtype === undefined) continue
    let q = 1
    for (const p of params) {
      const [k, v] = p.trim().split('=')
      if (k?.trim().toLowerCase() === 'q') q = Number(v)
    }
    if (Number.isNaN(q)) continue
    ranges.push({ type, subtype, q, specificity: type === '*' ? 0 : subtype === '*' ? 1 : 2 })
  }
  return ranges
}

/** The quality the Accept ranges give `offer` (the most specific matching range decides). */
function quality (ranges: Range[], offer: string): number {
  const [type, subtype] = offer.split('/')
  let best: Range | undefined
  for (const r of ranges) {
    const matches = (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype)
    if (matches && (best === undefined || r.specificity > best.specificity)) best = r
  }
  return best?.q ?? 0
}

/** The best of `offers` (media types, in the server's preference order) for `accept`, or undefined. */
export function negotiate (accept: string | undefined, offers: readonly string[]): string | undefined {
  if (accept === undefined || accept.trim() === '') return offers[0]
  const ranges = parseAccept(accept)
  if (ranges.length === 0) return offers[0]
  let chosen: string | undefined
  let chosenQ = 0
  for (const offer of offers) {
    const q = quality(ranges, offer)
    if (q > chosenQ) { chosen = offer; chosenQ = q }
  }
  return chosen
}
