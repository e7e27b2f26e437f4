/**
 * REGEX and REPLACE (§17.4.3.14, §17.4.3.15) on RE2 (re2js): matching takes time
 * linear in the pattern times the text, so no pattern can stall a query the way a
 * backtracking engine does on `(a*)*b` (ReDoS); that is what makes a FILTER over
 * data from anyone safe to run on a server.
 * XPath's flags map onto RE2's: s (DOTALL), m (MULTILINE), i (CASE_INSENSITIVE);
 * x strips whitespace from the pattern and q quotes it, before compiling.
 * Cost: what RE2 cannot run in linear time it does not run: back-references (`\1`)
 * and look-around are errors, so the REGEX is a type error (a FILTER false).
 */
import { RE2JS } from 're2js'
import { fail } from './operators.js'

const cache = new Map<string, RE2JS>()
const CACHE_LIMIT = 500

/** Compiles an XPath regular expression with its flags (s, m, i, x, q); an invalid one is a type error. */
export function compileRegex (pattern: string, flags: string): RE2JS {
  const key = pattern + '\u0000' + flags
  let re = cache.get(key)
  if (re !== undefined) return re
  let source = pattern
  let bits = 0
  for (const f of flags) {
    switch (f) {
      case 'i': bits |= RE2JS.CASE_INSENSITIVE; break
      case 's': bits |= RE2JS.DOTALL; break
      case 'm': bits |= RE2JS.MULTILINE; break
      case 'x': source = source.replace(/[\t\n\r ]+/g, ''); break
      case 'q': source = RE2JS.quote(source); break
      default: fail(`unknown regex flag ${f}`)
    }
  }
  try {
    re = RE2JS.compile(source, bits)
  } catch {
    return fail('invalid regular expression (or one RE2 does not run, such as a back-reference)')
  }
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, re)
  return re
}

export function regexTest (text: string, pattern: string, flags: string): boolean {
  return compileRegex(pattern, flags).matcher(text).find()
}

type Part = string | number

/**
 * An XPath replacement string as literal parts and group numbers: `$n` takes the
 * longest run of digits that still names a group (at least one digit), `\$` and `\\`
 * are literal, and any other `$` or `\` is an error (fn:replace, err:FORX0004).
 */
function replacementParts (replacement: string, groups: number): Part[] {
  const parts: Part[] = []
  let literal = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!
    if (c === '\\') {
      const next = replacement[i + 1]
      if (next !== '$' && next !== '\\') fail('invalid replacement string')
      literal += next; i++
    } else if (c === '$') {
      let j = i + 1
      if (!(replacement[j]! >= '0' && replacement[j]! <= '9')) fail('invalid replacement string')
      let n = Number(replacement[j]); j++
      while (j < replacement.length && replacement[j]! >= '0' && replacement[j]! <= '9' && n * 10 + Number(replacement[j]) <= groups) { n = n * 10 + Number(replacement[j]); j++ }
      if (literal !== '') { parts.push(literal); literal = '' }
      parts.push(n)
      i = j - 1
    } else literal += c
  }
  if (literal !== '') parts.push(literal)
  return parts
}

export function regexReplace (text: string, pattern: string, replacement: string, flags: string): string {
  const re = compileRegex(pattern, flags)
  if (re.matcher('').find()) fail('REPLACE pattern matches the empty string')
  const parts = replacementParts(replacement, re.groupCount())
  const m = re.matcher(text)
  let out = ''
  let at = 0
  while (m.find()) {
    out += text.slice(at, m.start())
    for (const p of parts) out += typeof p === 'string' ? p : (p <= re.groupCount() ? (m.group(p) ?? '') : '')
    at = m.end()
  }
  return out + text.slice(at)
}
