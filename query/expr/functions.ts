/**
 * SPARQL 1.1 built-in functions on already-evaluated arguments (§17.4): strings
 * with language tags, numerics, dates, hashes, IRI/BNODE/STRDT/STRLANG, UUIDs.
 * Functional forms that need lazy arguments (IF, COALESCE, BOUND, EXISTS, logical
 * operators) live in compile.ts. Every type error throws ExprError.
 */
import type * as RDF from '@rdfjs/types'
import { createHash, randomUUID } from 'node:crypto'
import { df, namedNode, typedLiteral, xsd, booleanLiteral, RDF_LANG_STRING } from '../terms.js'
import { argCompatible, fail, isSimpleOrXsdString, stringArg } from './operators.js'
import { regexReplace, regexTest } from './regex.js'
import { dateTimeValue, formatDecimal, formatTimezone, formatTimezoneDuration, numericLiteral, numericValue } from './xsd.js'

/** A string result carrying the language tag or xsd:string type of `like`. */
function sameKind (value: string, like: RDF.Literal): RDF.Literal {
  return like.language !== '' ? df.literal(value, like.language) : df.literal(value)
}

function codePoints (s: string): string[] { return Array.from(s) }

export function strlen (a: RDF.Term): RDF.Term {
  return numericLiteral('integer', codePoints(stringArg(a).value).length)
}

export function substr (a: RDF.Term, start: RDF.Term, length?: RDF.Term): RDF.Term {
  const s = stringArg(a)
  const st = numericValue(start)
  if (st === undefined) fail('SUBSTR start must be numeric')
  const cps = codePoints(s.value)
  // XPath fn:substring: characters at positions p with round(start) <= p < round(start) + round(length).
  const from = roundHalfUp(st.value)
  let to = Infinity
  if (length !== undefined) {
    const ln = numericValue(length)
    if (ln === undefined) fail('SUBSTR length must be numeric')
    to = from + roundHalfUp(ln.value)
  }
  if (Number.isNaN(from) || Number.isNaN(to)) return sameKind('', s)
  const out: string[] = []
  for (let p = 1; p <= cps.length; p++) if (p >= from && p < to) out.push(cps[p - 1]!)
  return sameKind(out.join(''), s)
}

function roundHalfUp (v: number): number { return Math.floor(v + 0.5) }

export function ucase (a: RDF.Term): RDF.Term { const s = stringArg(a); return sameKind(s.value.toUpperCase(), s) }
export function lcase (a: RDF.Term): RDF.Term { const s = stringArg(a); return sameKind(s.value.toLowerCase(), s) }

export function strstarts (a: RDF.Term, b: RDF.Term): RDF.Term {
  const [x, y] = compatiblePair(a, b); return booleanLiteral(x.value.startsWith(y.value))
}
export function strends (a: RDF.Term, b: RDF.Term): RDF.Term {
  const [x, y] = compatiblePair(a, b); return booleanLiteral(x.value.endsWith(y.value))
}
export function contains (a: RDF.Term, b: RDF.Term): RDF.Term {
  const [x, y] = compatiblePair(a, b); return booleanLiteral(x.value.includes(y.value))
}
export function strbefore (a: RDF.Term, b: RDF.Term): RDF.Term {
  const [x, y] = compatiblePair(a, b)
  const i = x.value.indexOf(y.value)
  if (i < 0) return df.literal('')
  return sameKind(x.value.slice(0, i), x)
}
export function strafter (a: RDF.Term, b: RDF.Term): RDF.Term {
  const [x, y] = compatiblePair(a, b)
  const i = x.value.indexOf(y.value)
  if (i < 0) return df.literal('')
  return sameKind(x.value.slice(i + y.value.length), x)
}

function compatiblePair (a: RDF.Term, b: RDF.Term): [RDF.Literal, RDF.Literal] {
  const x = stringArg(a); const y = stringArg(b)
  if (!argCompatible(x, y)) fail('incompatible string arguments')
  return [x, y]
}

export function concat (args: RDF.Term[]): RDF.Term {
  let lang: string | undefined
  let allString = true
  let value = ''
  for (let i = 0; i < args.length; i++) {
    const s = stringArg(args[i]!)
    value += s.value
    if (s.language === '') allString &&= true
    if (i === 0) lang = s.language
    else if (lang !== s.language) lang = undefined
  }
  if (lang !== undefined && lang !== '') return df.literal(value, lang)
  return allString ? df.literal(value) : df.literal(value)
}

export function encodeForUri (a: RDF.Term): RDF.Term {
  const s = stringArg(a)
  return df.literal(encodeURIComponent(s.value).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase()))
}

export function langMatches (tag: RDF.Term, range: RDF.Term): RDF.Term {
  if (tag.termType !== 'Literal' || range.termType !== 'Literal' || !isSimpleOrXsdString(tag) || !isSimpleOrXsdString(range)) fail('LANGMATCHES takes simple literals')
  const t = tag.value.toLowerCase(); const r = range.value.toLowerCase()
  if (r === '*') return booleanLiteral(t !== '')
  return booleanLiteral(t === r || t.startsWith(r + '-'))
}

// ---- regular expressions (regex.ts: RE2, linear time) ----

export function regex (text: RDF.Term, pattern: RDF.Term, flags?: RDF.Term): RDF.Term {
  const t = stringArg(text)
  if (!isSimpleOrXsdString(pattern)) fail('REGEX pattern must be a simple literal')
  if (flags !== undefined && !isSimpleOrXsdString(flags)) fail('REGEX flags must be a simple literal')
  return booleanLiteral(regexTest(t.value, pattern.value, flags?.value ?? ''))
}

export function replace (text: RDF.Term, pattern: RDF.Term, replacement: RDF.Term, flags?: RDF.Term): RDF.Term {
  const t = stringArg(text)
  if (!isSimpleOrXsdString(pattern) || !isSimpleOrXsdString(replacement)) fail('REPLACE pattern and replacement must be simple literals')
  if (flags !== undefined && !isSimpleOrXsdString(flags)) fail('REPLACE flags must be a simple literal')
  return sameKind(regexReplace(t.value, pattern.value, replacement.value, flags?.value ?? ''), t)
}

// ---- numerics ----

function numericArg (a: RDF.Term): { kind: 'integer' | 'decimal' | 'float' | 'double', value: number, term: RDF.Literal } {
  const n = numericValue(a)
  if (n === undefined) fail('expected a numeric literal')
  return { ...n, term: a as RDF.Literal }
}

export function abs (a: RDF.Term): RDF.Term { const n = numericArg(a); return numericLiteral(n.kind, Math.abs(n.value)) }
export function ceil (a: RDF.Term): RDF.Term { const n = numericArg(a); return numericLiteral(n.kind, Math.ceil(n.value)) }
export function floor (a: RDF.Term): RDF.Term { const n = numericArg(a); return numericLiteral(n.kind, Math.floor(n.value)) }
export function round (a: RDF.Term): RDF.Term { const n = numericArg(a); return numericLiteral(n.kind, roundHalfUp(n.value)) }
export function rand (): RDF.Term { return numericLiteral('double', Math.random()) }

// ---- dates ----

function dateArg (a: RDF.Term): NonNullable<ReturnType<typeof dateTimeValue>> {
  const v = dateTimeValue(a)
  if (v === undefined) fail('expected an xsd:dateTime')
  return v
}
export function year (a: RDF.Term): RDF.Term { return numericLiteral('integer', dateArg(a).year) }
export function month (a: RDF.Term): RDF.Term { return numericLiteral('integer', dateArg(a).month) }
export function day (a: RDF.Term): RDF.Term { return numericLiteral('integer', dateArg(a).day) }
export function hours (a: RDF.Term): RDF.Term { return numericLiteral('integer', dateArg(a).hour) }
export function minutes (a: RDF.Term): RDF.Term { return numericLiteral('integer', dateArg(a).minute) }
export function seconds (a: RDF.Term): RDF.Term {
  const s = dateArg(a).second
  return typedLiteral(Number.isInteger(s) ? formatDecimal(s) : String(s), xsd.decimal)
}
export function timezone (a: RDF.Term): RDF.Term {
  const v = dateArg(a)
  if (v.tz === undefined) fail('no timezone')
  return typedLiteral(formatTimezoneDuration(v.tz), xsd.dayTimeDuration)
}
export function tz (a: RDF.Term): RDF.Term {
  const v = dateArg(a)
  return df.literal(v.tz === undefined ? '' : formatTimezone(v.tz))
}

export function nowLiteral (): RDF.Literal {
  const d = new Date()
  return typedLiteral(d.toISOString(), xsd.dateTime)
}

// ---- hashes ----

export function hash (algorithm: 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512', a: RDF.Term): RDF.Term {
  if (!isSimpleOrXsdString(a)) fail('hash functions take simple literals or xsd:string')
  return df.literal(createHash(algorithm).update(a.value, 'utf8').digest('hex'))
}

// ---- term constructors and accessors ----

export function str (a: RDF.Term): RDF.Term {
  if (a.termType === 'Literal' || a.termType === 'NamedNode') return df.literal(a.value)
  return fail('STR of a blank node')
}

export function lang (a: RDF.Term): RDF.Term {
  if (a.termType !== 'Literal') fail('LANG of a non-literal')
  return df.literal(a.language)
}

export function datatype (a: RDF.Term): RDF.Term {
  if (a.termType !== 'Literal') fail('DATATYPE of a non-literal')
  if (a.language !== '') return namedNode(RDF_LANG_STRING)
  return a.datatype
}

export function iri (a: RDF.Term, baseIRI: string | undefined): RDF.Term {
  if (a.termType === 'NamedNode') return a
  if (!isSimpleOrXsdString(a)) fail('IRI takes a simple literal or an IRI')
  return namedNode(baseIRI !== undefined ? resolveIri(a.value, baseIRI) : a.value)
}

/** RFC 3986 resolution without URL normalisation beyond what resolution needs. */
export function resolveIri (relative: string, base: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(relative)) return relative
  try { return new URL(relative, base).href } catch { return relative }
}

export function strdt (a: RDF.Term, dt: RDF.Term): RDF.Term {
  if (!isSimpleOrXsdString(a) || dt.termType !== 'NamedNode') fail('STRDT takes a simple literal and an IRI')
  return df.literal(a.value, dt)
}

export function strlang (a: RDF.Term, l: RDF.Term): RDF.Term {
  if (!isSimpleOrXsdString(a) || !isSimpleOrXsdString(l) || l.value === '') fail('STRLANG takes two simple literals')
  if (!/^[a-zA-Z]+(-[a-zA-Z0-9]+)*$/.test(l.value)) fail('invalid language tag')
  return df.literal(a.value, l.value)
}

export function uuid (): RDF.Term { return namedNode('urn:uuid:' + randomUUID()) }
export function struuid (): RDF.Term { return df.literal(randomUUID()) }

export function isNumeric (a: RDF.Term): RDF.Term { return booleanLiteral(numericValue(a) !== undefined) }
