/**
 * Seeded mutations of valid inputs, as fast-check arbitraries: a fuzz input is a
 * corpus entry with a few edits (insert a token of the syntax, delete or repeat a
 * slice, nest a bracket many times, swap a character), so most inputs stay near the
 * grammar and reach the code behind the parser.
 */
import fc from 'fast-check'

type Edit = (s: string) => string

const at = (s: string, f: number): number => Math.floor(f * (s.length + 1))

function editArbitrary (tokens: readonly string[]): fc.Arbitrary<Edit> {
  const pos = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })
  return fc.oneof(
    fc.tuple(pos, fc.constantFrom(...tokens)).map(([p, t]): Edit => s => s.slice(0, at(s, p)) + t + s.slice(at(s, p))),
    fc.tuple(pos, fc.nat(40)).map(([p, n]): Edit => s => s.slice(0, at(s, p)) + s.slice(at(s, p) + n)),
    fc.tuple(pos, fc.nat(30), fc.integer({ min: 2, max: 50 })).map(([p, n, k]): Edit => s => {
      const i = at(s, p); return s.slice(0, i) + s.slice(i, i + n).repeat(k) + s.slice(i + n)
    }),
    // Deep nesting: the shape that overflowed stacks.
    fc.tuple(pos, fc.constantFrom('(', '{', '[', '('), fc.integer({ min: 10, max: 3000 })).map(([p, open, k]): Edit => s => {
      const close = open === '(' ? ')' : open === '{' ? '}' : ']'
      const i = at(s, p); return s.slice(0, i) + open.repeat(k) + s.slice(i) + close.repeat(k)
    }),
    fc.tuple(pos, fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })).map(([p, c]): Edit => s => {
      const i = at(s, p); return s.slice(0, i) + c + s.slice(i + 1)
    })
  )
}

/** Texts: a corpus entry, then up to `maxEdits` edits. */
export function mutatedText (corpus: readonly string[], tokens: readonly string[], maxEdits = 4): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...corpus), fc.array(editArbitrary(tokens), { maxLength: maxEdits }))
    .map(([base, edits]) => edits.reduce((s, e) => e(s), base))
}

/** Bytes: a corpus entry with some bytes flipped, cut, repeated or inserted. */
export function mutatedBytes (corpus: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.constantFrom('flip', 'cut', 'repeat', 'insert', 'truncate'), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.nat(255), fc.integer({ min: 1, max: 64 }))
  return fc.tuple(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([base, edits]) => {
    let b = base
    for (const [kind, p, byte, n] of edits) {
      const i = Math.floor(p * b.length)
      switch (kind) {
        case 'flip': b = Uint8Array.from(b); if (b.length > 0) b[i] = byte; break
        case 'cut': b = concat(b.subarray(0, i), b.subarray(i + n)); break
        case 'repeat': b = concat(b.subarray(0, i), ...Array<Uint8Array>(Math.min(n, 8)).fill(b.subarray(i, i + n)), b.subarray(i)); break
        case 'insert': b = concat(b.subarray(0, i), Uint8Array.of(byte), b.subarray(i)); break
        case 'truncate': b = b.subarray(0, i); break
      }
    }
    return b
  })
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}
