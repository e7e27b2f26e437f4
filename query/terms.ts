/**
 * RDF term helpers shared by every stage of the engine: one data factory, the XSD
 * vocabulary, and `sameTermKey`, the identity key of a term. Hash joins, DISTINCT
 * and GROUP BY compare terms through their keys, so two terms have the same key
 * exactly when `sameTerm` holds: the same RDF term, lexical form kept as written,
 * language tags compared case-insensitively.
 *
 * Not quad-model's `termKey`, the stored form of a term: that one keeps a language
 * tag's case (it must give back the term as written), writes IRIs bare, and has
 * no form for variables or quoted triples, which a query's terms may be.
 */
import type * as RDF from '@rdfjs/types'
import { DataFactory } from 'rdf-data-factory'

export const df: RDF.DataFactory<RDF.Quad> = new DataFactory()

export const XSD = 'http://www.w3.org/2001/XMLSchema#'
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
export const xsd = {
  string: XSD + 'string',
  boolean: XSD + 'boolean',
  integer: XSD + 'integer',
  decimal: XSD + 'decimal',
  float: XSD + 'float',
  double: XSD + 'double',
  dateTime: XSD + 'dateTime',
  date: XSD + 'date',
  time: XSD + 'time',
  duration: XSD + 'duration',
  dayTimeDuration: XSD + 'dayTimeDuration',
  yearMonthDuration: XSD + 'yearMonthDuration'
} as const
export const RDF_LANG_STRING = RDF_NS + 'langString'

const datatypeCache = new Map<string, RDF.NamedNode>()
export function namedNode (iri: string): RDF.NamedNode {
  let n = datatypeCache.get(iri)
  if (n === undefined) {
    n = df.namedNode(iri)
    if (datatypeCache.size < 1000) datatypeCache.set(iri, n)
  }
  return n
}

export function typedLiteral (value: string, datatype: string): RDF.Literal {
  return df.literal(value, datatype === xsd.string ? undefined : namedNode(datatype))
}

export const TRUE = df.literal('true', namedNode(xsd.boolean))
export const FALSE = df.literal('false', namedNode(xsd.boolean))
export function booleanLiteral (b: boolean): RDF.Literal { return b ? TRUE : FALSE }

/** The identity key of a term: equal keys exactly when `sameTerm` (see the module comment). */
export function sameTermKey (t: RDF.Term): string {
  switch (t.termType) {
    case 'NamedNode': return '<' + t.value + '>'
    case 'BlankNode': return '_:' + t.value
    case 'Literal':
      if (t.language !== '') return '"' + t.value + '"@' + t.language.toLowerCase()
      if (t.datatype.value === xsd.string) return '"' + t.value + '"'
      return '"' + t.value + '"^^<' + t.datatype.value + '>'
    case 'DefaultGraph': return ''
    case 'Variable': return '?' + t.value
    case 'Quad': return '<<' + sameTermKey(t.subject) + ' ' + sameTermKey(t.predicate) + ' ' + sameTermKey(t.object) + '>>'
  }
}

export function quadKey (q: RDF.BaseQuad): string {
  return sameTermKey(q.subject) + ' ' + sameTermKey(q.predicate) + ' ' + sameTermKey(q.object) + ' ' + sameTermKey(q.graph)
}

export function tripleKey (q: RDF.BaseQuad): string {
  return sameTermKey(q.subject) + ' ' + sameTermKey(q.predicate) + ' ' + sameTermKey(q.object)
}

/** RDF term identity, with language tags compared case-insensitively (RDF 1.1). */
export function sameTerm (a: RDF.Term, b: RDF.Term): boolean {
  if (a === b) return true
  if (a.termType !== b.termType || a.value !== b.value) return false
  if (a.termType === 'Literal') {
    const bl = b as RDF.Literal
    return a.language.toLowerCase() === bl.language.toLowerCase() && a.datatype.value === bl.datatype.value
  }
  if (a.termType === 'Quad') return sameTermKey(a) === sameTermKey(b)
  return true
}

/** The key a pattern term binds under, or undefined for a constant. */
export function varKey (t: RDF.Term): string | undefined {
  if (t.termType === 'Variable') return t.value
  if (t.termType === 'BlankNode') return '_:' + t.value
  return undefined
}
