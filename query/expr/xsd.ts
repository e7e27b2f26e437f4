/**
 * XSD value semantics for the expression evaluator: numeric lexical validation and
 * type promotion (integer < decimal < float < double), canonical forms of computed
 * results, dateTime/date/time/duration parsing and comparison (XSD 1.1 rules for
 * values with and without a timezone), and casts. Literals read from the store are
 * never rewritten: only computed values get canonical lexical forms.
 * Cost: integers and decimals are JS doubles, exact to 2^53 and about 15 digits.
 */
import type * as RDF from '@rdfjs/types'
import { XSD, xsd, typedLiteral } from '../terms.js'
import { fail } from './expr-error.js'

export type NumericKind = 'integer' | 'decimal' | 'float' | 'double'
export interface NumericValue { kind: NumericKind, value: number }

const INTEGER_DERIVED = new Set([
  'integer', 'nonPositiveInteger', 'negativeInteger', 'long', 'int', 'short', 'byte',
  'nonNegativeInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte', 'positiveInteger'
].map(n => XSD + n))

export function numericKind (datatype: string): NumericKind | undefined {
  if (datatype === xsd.integer || INTEGER_DERIVED.has(datatype)) return 'integer'
  if (datatype === xsd.decimal) return 'decimal'
  if (datatype === xsd.double) return 'double'
  if (datatype === xsd.float) return 'float'
  return undefined
}

const INTEGER_RE = /^[+-]?\d+$/
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/
const DOUBLE_RE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/

/** Parses a numeric literal; undefined when not numeric or the lexical form is invalid. */
export function numericValue (t: RDF.Term): NumericValue | undefined {
  if (t.termType !== 'Literal') return undefined
  const kind = numericKind(t.datatype.value)
  if (kind === undefined) return undefined
  return parseNumericLexical(t.value, kind, t.datatype.value)
}

export function parseNumericLexical (lexical: string, kind: NumericKind, datatype: string = XSD + kind): NumericValue | undefined {
  const s = lexical.trim()
  switch (kind) {
    case 'integer': {
      if (!INTEGER_RE.test(s)) return undefined
      const v = Number(s)
      // Beyond a double's range (about 309 digits) the value is not representable here.
      if (!Number.isFinite(v) || !integerInRange(datatype, v)) return undefined
      return { kind, value: v }
    }
    case 'decimal':
      return DECIMAL_RE.test(s) && Number.isFinite(Number(s)) ? { kind, value: Number(s) } : undefined
    default: {
      if (!DOUBLE_RE.test(s)) return undefined
      const v = s.endsWith('INF') ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s)
      return { kind, value: kind === 'float' ? Math.fround(v) : v }
    }
  }
}

function integerInRange (datatype: string, v: number): boolean {
  switch (datatype.slice(XSD.length)) {
    case 'nonPositiveInteger': return v <= 0
    case 'negativeInteger': return v < 0
    case 'nonNegativeInteger': case 'unsignedLong': return v >= 0
    case 'positiveInteger': return v > 0
    case 'int': return v >= -2147483648 && v <= 2147483647
    case 'short': return v >= -32768 && v <= 32767
    case 'byte': return v >= -128 && v <= 127
    case 'unsignedInt': return v >= 0 && v <= 4294967295
    case 'unsignedShort': return v >= 0 && v <= 65535
    case 'unsignedByte': return v >= 0 && v <= 255
    default: return true
  }
}

const RANK: Record<NumericKind, number> = { integer: 0, decimal: 1, float: 2, double: 3 }
const KINDS: NumericKind[] = ['integer', 'decimal', 'float', 'double']
export function promote (a: NumericKind, b: NumericKind): NumericKind {
  return KINDS[Math.max(RANK[a], RANK[b])]!
}

/** A computed numeric value as a literal in the XSD canonical form of its kind. */
export function numericLiteral (kind: NumericKind, value: number): RDF.Literal {
  switch (kind) {
    case 'integer': return typedLiteral(formatInteger(value), xsd.integer)
    // Decimals are doubles here: rounding to 15 significant digits hides binary
    // artefacts (1.1 + 10 = 11.100000000000001) that a true decimal would not have.
    case 'decimal': return typedLiteral(formatDecimal(Number(value.toPrecision(15))), xsd.decimal)
    case 'float': return typedLiteral(formatFloat(Math.fround(value)), xsd.float)
    case 'double': return typedLiteral(formatDouble(value), xsd.double)
  }
}

function formatInteger (v: number): string {
  // An integer or decimal result past a double's range (9e307 * 10) is an overflow, a type error.
  if (!Number.isFinite(v)) fail('numeric overflow')
  return Number.isSafeInteger(v) ? String(v) : BigInt(Math.trunc(v)).toString()
}

export function formatDecimal (v: number): string {
  if (!Number.isFinite(v)) fail('numeric overflow')
  if (Number.isInteger(v)) return formatInteger(v) + '.0'
  let s = String(v)
  if (s.includes('e')) s = v.toFixed(20).replace(/0+$/, '')
  return s
}

/** The shortest decimal form that reads back as the same float32. */
export function formatFloat (v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatDouble(v)
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p))
    if (Math.fround(candidate) === v) return formatDouble(candidate)
  }
  return formatDouble(v)
}

export function formatDouble (v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return 'INF'
  if (v === -Infinity) return '-INF'
  if (v === 0) return Object.is(v, -0) ? '-0.0E0' : '0.0E0'
  const [mantissa, exponent] = v.toExponential().split('e') as [string, string]
  const m = mantissa.includes('.') ? mantissa : mantissa + '.0'
  return m + 'E' + (exponent.startsWith('+') ? exponent.slice(1) : exponent)
}

// ---- booleans ----

export function booleanValue (t: RDF.Literal): boolean | undefined {
  switch (t.value.trim()) {
    case 'true': case '1': return true
    case 'false': case '0': return false
    default: return undefined
  }
}

// ---- date and time ----

/** A date/time value: `ms` is the instant (timezone applied when present). */
export interface DateTimeValue {
  kind: 'dateTime' | 'date' | 'time'
  ms: number
  /** Timezone offset in minutes; undefined when the lexical form has none. */
  tz: number | undefined
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number
}

const DATETIME_RE = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/
const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/

function parseTz (s: string | undefined): number | undefined {
  if (s === undefined) return undefined
  if (s === 'Z') return 0
  const sign = s.startsWith('-') ? -1 : 1
  return sign * (Number(s.slice(1, 3)) * 60 + Number(s.slice(4, 6)))
}

function instant (year: number, month: number, day: number, hour: number, minute: number, second: number, tz: number | undefined): number {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day)
  d.setUTCHours(hour, minute, 0, 0)
  return d.getTime() + second * 1000 - (tz ?? 0) * 60_000
}

export function dateTimeValue (t: RDF.Term): DateTimeValue | undefined {
  if (t.termType !== 'Literal') return undefined
  const dt = t.datatype.value
  let m: RegExpExecArray | null
  if (dt === xsd.dateTime && (m = DATETIME_RE.exec(t.value.trim())) !== null) {
    const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map(i => Number(m![i])) as [number, number, number, number, number]
    const second = Number(m[6]); const tz = parseTz(m[7])
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second >= 60) return undefined
    return { kind: 'dateTime', ms: instant(year, month, day, hour, minute, second, tz), tz, year, month, day, hour, minute, second }
  }
  if (dt === xsd.date && (m = DATE_RE.exec(t.value.trim())) !== null) {
    const [year, month, day] = [1, 2, 3].map(i => Number(m![i])) as [number, number, number]
    const tz = parseTz(m[4])
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined
    return { kind: 'date', ms: instant(year, month, day, 0, 0, 0, tz), tz, year, month, day, hour: 0, minute: 0, second: 0 }
  }
  if (dt === xsd.time && (m = TIME_RE.exec(t.value.trim())) !== null) {
    const hour = Number(m[1]); const minute = Number(m[2]); const second = Number(m[3]); const tz = parseTz(m[4])
    return { kind: 'time', ms: instant(1972, 12, 31, hour, minute, second, tz), tz, year: 1972, month: 12, day: 31, hour, minute, second }
  }
  return undefined
}

const FOURTEEN_HOURS = 14 * 3_600_000

/**
 * XSD order of two date/time values: -1, 0, 1, or undefined when indeterminate
 * (one has a timezone, the other not, and they are within 14 hours).
 */
export function compareDateTime (a: DateTimeValue, b: DateTimeValue): number | undefined {
  if ((a.tz === undefined) === (b.tz === undefined)) return Math.sign(a.ms - b.ms)
  if (a.tz === undefined) {
    if (a.ms + FOURTEEN_HOURS < b.ms) return -1
    if (a.ms - FOURTEEN_HOURS > b.ms) return 1
    return undefined
  }
  const r = compareDateTime(b, a)
  return r === undefined ? undefined : -r
}

export function formatTimezoneDuration (tz: number): string {
  if (tz === 0) return 'PT0S'
  const abs = Math.abs(tz)
  const h = Math.floor(abs / 60); const m = abs % 60
  return (tz < 0 ? '-' : '') + 'PT' + (h > 0 ? `${h}H` : '') + (m > 0 ? `${m}M` : '')
}

export function formatTimezone (tz: number): string {
  if (tz === 0) return 'Z'
  const abs = Math.abs(tz)
  return (tz < 0 ? '-' : '+') + String(Math.floor(abs / 60)).padStart(2, '0') + ':' + String(abs % 60).padStart(2, '0')
}

// ---- durations ----

export interface DurationValue { months: number, seconds: number }
const DURATION_RE = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

export function durationValue (t: RDF.Term): DurationValue | undefined {
  if (t.termType !== 'Literal') return undefined
  const dt = t.datatype.value
  if (dt !== xsd.duration && dt !== xsd.dayTimeDuration && dt !== xsd.yearMonthDuration) return undefined
  const m = DURATION_RE.exec(t.value.trim())
  if (m === null || t.value.endsWith('P') || t.value.endsWith('T')) return undefined
  const sign = m[1] === '-' ? -1 : 1
  const n = (i: number): number => m[i] === undefined ? 0 : Number(m[i])
  return { months: sign * (n(2) * 12 + n(3)), seconds: sign * (n(4) * 86400 + n(5) * 3600 + n(6) * 60 + n(7)) }
}

export function compareDuration (a: DurationValue, b: DurationValue): number | undefined {
  if (a.months === b.months) return Math.sign(a.seconds - b.seconds)
  if (a.seconds === b.seconds) return Math.sign(a.months - b.months)
  return undefined
}

// ---- casts (XPath 17.1) ----

const STRINGISH = (t: RDF.Literal): boolean => t.language === '' && t.datatype.value === xsd.string

/** `xsd:T(term)`; undefined means a type error. */
export function castTo (datatype: string, t: RDF.Term): RDF.Literal | undefined {
  if (t.termType === 'NamedNode') return datatype === xsd.string ? typedLiteral(t.value, xsd.string) : undefined
  if (t.termType !== 'Literal' || t.language !== '') return undefined
  const src = t.datatype.value
  const num = numericValue(t)
  const isString = STRINGISH(t)
  if (numericKind(src) !== undefined && num === undefined && !isString) return undefined
  switch (datatype) {
    case xsd.string:
      if (num !== undefined) return typedLiteral(canonicalNumericLexical(num), xsd.string)
      if (src === xsd.boolean) { const b = booleanValue(t); if (b !== undefined) return typedLiteral(String(b), xsd.string) }
      return typedLiteral(t.value, xsd.string)
    case xsd.boolean: {
      if (src === xsd.boolean) { const b = booleanValue(t); return b === undefined ? undefined : typedLiteral(String(b), xsd.boolean) }
      if (num !== undefined) return typedLiteral(String(!(num.value === 0 || Number.isNaN(num.value))), xsd.boolean)
      if (isString) { const b = booleanValue(t); return b === undefined ? undefined : typedLiteral(String(b), xsd.boolean) }
      return undefined
    }
    case xsd.integer: case xsd.decimal: case xsd.float: case xsd.double: {
      const target = numericKind(datatype)!
      let v: number
      if (num !== undefined) v = num.value
      else if (src === xsd.boolean) { const b = booleanValue(t); if (b === undefined) return undefined; v = b ? 1 : 0 } else if (isString) {
        const parsed = parseNumericLexical(t.value, target)
        if (parsed === undefined) return undefined
        return numericLiteral(target, parsed.value)
      } else return undefined
      if ((target === 'integer' || target === 'decimal') && !Number.isFinite(v)) return undefined
      return numericLiteral(target, target === 'integer' ? Math.trunc(v) : v)
    }
    case xsd.dateTime: case xsd.date: case xsd.time: {
      if (!isString && src !== xsd.dateTime && src !== datatype) return undefined
      if (isString || src === datatype) {
        const candidate = typedLiteral(t.value.trim(), datatype)
        return dateTimeValue(candidate) === undefined ? undefined : candidate
      }
      const v = dateTimeValue(t)
      if (v === undefined) return undefined
      const tz = v.tz === undefined ? '' : formatTimezone(v.tz)
      const [datePart, rest] = t.value.trim().split('T') as [string, string]
      const timePart = rest.replace(/(Z|[+-]\d{2}:\d{2})$/, '')
      if (datatype === xsd.date) return typedLiteral(datePart + tz, xsd.date)
      return typedLiteral(timePart + tz, xsd.time)
    }
    default:
      return undefined
  }
}

/** XPath's cast of a number to xsd:string (§17.1.2 of XPath Functions). */
function canonicalNumericLexical (n: NumericValue): string {
  switch (n.kind) {
    case 'integer': return formatInteger(n.value)
    case 'decimal': return Number.isInteger(n.value) ? formatInteger(n.value) : formatDecimal(n.value)
    default: {
      const v = n.value
      if (Number.isNaN(v)) return 'NaN'
      if (!Number.isFinite(v)) return v > 0 ? 'INF' : '-INF'
      if (v === 0) return Object.is(v, -0) ? '-0' : '0'
      const abs = Math.abs(v)
      if (abs >= 1e-6 && abs < 1e6) return String(n.kind === 'float' ? Number(formatFloat(v)) : v)
      return n.kind === 'float' ? formatFloat(v) : formatDouble(v)
    }
  }
}
