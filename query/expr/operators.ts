/**
 * SPARQL operator semantics on terms (SPARQL 1.1 §17.2–17.4): effective boolean
 * value, RDFterm-equal versus value equality, the ordering used by `<` and by
 * ORDER BY, and the string-argument compatibility rules. A type error is the
 * `ExprError` sentinel: cheap to throw (no stack), and always caught by the
 * operator that defines what an error means there (FILTER false, BIND unbound).
 */
import type * as RDF from '@rdfjs/types'
import { RDF_LANG_STRING, xsd } from '../terms.js'
import { booleanValue, compareDateTime, compareDuration, dateTimeValue, durationValue, numericKind, numericValue } from './xsd.js'

import { ExprError, fail } from './expr-error.js'
export { ExprError, fail } from './expr-error.js'

export function isSimpleOrXsdString (t: RDF.Term): t is RDF.Literal {
  return t.termType === 'Literal' && t.language === '' && t.datatype.value === xsd.string
}

/** A string literal: simple, xsd:string or language-tagged. */
export function isStringLiteral (t: RDF.Term): t is RDF.Literal {
  return t.termType === 'Literal' && (t.language !== '' || t.datatype.value === xsd.string || t.datatype.value === RDF_LANG_STRING)
}

export function stringArg (t: RDF.Term): RDF.Literal {
  if (!isStringLiteral(t)) fail('expected a string literal')
  return t
}

/** Argument compatibility for STRSTARTS, CONTAINS, STRBEFORE, … (§17.4.3.1.2). */
export function argCompatible (a: RDF.Literal, b: RDF.Literal): boolean {
  if (b.language === '') return true
  return a.language.toLowerCase() === b.language.toLowerCase()
}

export function effectiveBooleanValue (t: RDF.Term): boolean {
  if (t.termType !== 'Literal') fail('no effective boolean value for a non-literal')
  const dt = t.datatype.value
  if (dt === xsd.boolean) return booleanValue(t) ?? false
  if (t.language === '' && dt === xsd.string) return t.value.length > 0
  if (numericKind(dt) !== undefined) {
    const n = numericValue(t)
    if (n === undefined) return false
    return !(n.value === 0 || Number.isNaN(n.value))
  }
  return fail('no effective boolean value for this datatype')
}

type Category = 'numeric' | 'string' | 'lang' | 'boolean' | 'datetime' | 'duration' | 'other'

function category (t: RDF.Literal): Category {
  if (t.language !== '') return 'lang'
  const dt = t.datatype.value
  if (dt === xsd.string) return 'string'
  if (numericKind(dt) !== undefined) return 'numeric'
  if (dt === xsd.boolean) return 'boolean'
  if (dt === xsd.dateTime || dt === xsd.date || dt === xsd.time) return 'datetime'
  if (dt === xsd.duration || dt === xsd.dayTimeDuration || dt === xsd.yearMonthDuration) return 'duration'
  return 'other'
}

function sameLiteral (a: RDF.Literal, b: RDF.Literal): boolean {
  return a.value === b.value && a.datatype.value === b.datatype.value && a.language.toLowerCase() === b.language.toLowerCase()
}

/** The `=` operator: value equality for known types, else RDFterm-equal (§17.4.1.7). */
export function termEquals (a: RDF.Term, b: RDF.Term): boolean {
  if (a.termType !== 'Literal' || b.termType !== 'Literal') {
    if (a.termType === 'Quad' && b.termType === 'Quad') {
      return termEquals(a.subject, b.subject) && termEquals(a.predicate, b.predicate) && termEquals(a.object, b.object)
    }
    return a.termType === b.termType && a.value === b.value
  }
  const ca = category(a); const cb = category(b)
  if (ca === cb) {
    switch (ca) {
      case 'numeric': {
        const na = numericValue(a); const nb = numericValue(b)
        if (na === undefined || nb === undefined) return sameLiteral(a, b) ? true : fail('invalid numeric literal')
        return na.value === nb.value
      }
      case 'string': return a.value === b.value
      case 'lang': return a.value === b.value && a.language.toLowerCase() === b.language.toLowerCase()
      case 'boolean': {
        const ba = booleanValue(a); const bb = booleanValue(b)
        if (ba === undefined || bb === undefined) return sameLiteral(a, b) ? true : fail('invalid boolean literal')
        return ba === bb
      }
      case 'datetime': {
        const da = dateTimeValue(a); const db = dateTimeValue(b)
        if (da !== undefined && db !== undefined && da.kind !== db.kind) return false
        if (da === undefined || db === undefined) return sameLiteral(a, b) ? true : fail('invalid date/time')
        const c = compareDateTime(da, db)
        if (c === undefined) fail('indeterminate date/time comparison')
        return c === 0
      }
      case 'duration': {
        const da = durationValue(a); const db = durationValue(b)
        if (da === undefined || db === undefined) return sameLiteral(a, b) ? true : fail('invalid duration')
        return da.months === db.months && da.seconds === db.seconds
      }
      default:
        if (sameLiteral(a, b)) return true
        return fail('cannot compare literals of unknown datatype')
    }
  }
  if (sameLiteral(a, b)) return true
  // A language-tagged string equals no other kind of literal. Two well-formed
  // literals of different known types are different values. Otherwise (unknown
  // datatype, ill-formed lexical form) equality cannot be decided: a type error,
  // as the sparql10 open-world tests expect.
  if (ca === 'lang' || cb === 'lang') return false
  if (wellFormed(a, ca) && wellFormed(b, cb)) return false
  return fail('cannot compare literals of unknown datatype')
}

function wellFormed (t: RDF.Literal, c: Category): boolean {
  switch (c) {
    case 'string': case 'lang': return true
    case 'numeric': return numericValue(t) !== undefined
    case 'boolean': return booleanValue(t) !== undefined
    case 'datetime': return dateTimeValue(t) !== undefined
    case 'duration': return durationValue(t) !== undefined
    default: return false
  }
}

/** `<` and friends: -1, 0, 1 for comparable values; throws ExprError otherwise. */
export function compareValues (a: RDF.Term, b: RDF.Term): number {
  if (a.termType !== 'Literal' || b.termType !== 'Literal') fail('cannot order non-literals')
  const ca = category(a); const cb = category(b)
  if (ca !== cb) fail('cannot order literals of different types')
  switch (ca) {
    case 'numeric': {
      const na = numericValue(a); const nb = numericValue(b)
      if (na === undefined || nb === undefined) fail('invalid numeric literal')
      if (Number.isNaN(na.value) || Number.isNaN(nb.value)) fail('NaN is unordered')
      return Math.sign(na.value - nb.value) || (na.value === nb.value ? 0 : (na.value < nb.value ? -1 : 1))
    }
    case 'string': return a.value < b.value ? -1 : a.value > b.value ? 1 : 0
    case 'boolean': {
      const ba = booleanValue(a); const bb = booleanValue(b)
      if (ba === undefined || bb === undefined) fail('invalid boolean literal')
      return Number(ba) - Number(bb)
    }
    case 'datetime': {
      const da = dateTimeValue(a); const db = dateTimeValue(b)
      if (da === undefined || db === undefined || da.kind !== db.kind) fail('incomparable date/time')
      const c = compareDateTime(da, db)
      if (c === undefined) fail('indeterminate date/time comparison')
      return c
    }
    case 'duration': {
      const da = durationValue(a); const db = durationValue(b)
      if (da === undefined || db === undefined) fail('invalid duration')
      const c = compareDuration(da, db)
      if (c === undefined) fail('indeterminate duration comparison')
      return c
    }
    default: return fail('cannot order these literals')
  }
}

const TYPE_ORDER: Record<string, number> = { BlankNode: 1, NamedNode: 2, Literal: 3, Quad: 4 }

/**
 * The total order ORDER BY uses (§15.1): unbound < blank nodes < IRIs < literals;
 * literals by value where `<` defines it, otherwise by a stable fallback
 * (numerics before other types, then datatype IRI, then lexical form).
 */
export function orderTerms (a: RDF.Term | undefined, b: RDF.Term | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -1
  if (b === undefined) return 1
  if (a.termType !== b.termType) return (TYPE_ORDER[a.termType] ?? 5) - (TYPE_ORDER[b.termType] ?? 5)
  if (a.termType !== 'Literal') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0
  const bl = b as RDF.Literal
  try {
    const c = compareValues(a, bl)
    if (c !== 0) return c
  } catch (e) {
    if (!(e instanceof ExprError)) throw e
  }
  const ka = orderClass(a); const kb = orderClass(bl)
  if (ka !== kb) return ka - kb
  if (a.datatype.value !== bl.datatype.value) return a.datatype.value < bl.datatype.value ? -1 : 1
  if (a.language !== bl.language) return a.language < bl.language ? -1 : 1
  return a.value < bl.value ? -1 : a.value > bl.value ? 1 : 0
}

function orderClass (t: RDF.Literal): number {
  // Simple literals before typed ones (the sparql10 sort tests rely on this).
  if (t.language === '' && t.datatype.value === xsd.string) return 0
  if (numericValue(t) !== undefined) return 1
  if (t.language !== '') return 2
  return 3
}
