/**
 * Expected-result readers for the W3C suites (SPARQL XML, JSON, TSV, CSV, DAWG
 * result sets in RDF) and the comparison rules of the harness:
 *  - solutions are a multiset; blank nodes match up to one bijection for the
 *    whole result;
 *  - order matters only under a top-level ORDER BY, and then only for the values
 *    of the ORDER BY keys (rows whose keys tie may come in any order);
 *  - literal equality: same datatype and, for numeric datatypes, same value
 *    ("1.0"^^xsd:decimal = "1"^^xsd:decimal; the expected files use canonical
 *    forms engines need not produce); language tags case-insensitively.
 */
import type * as RDF from '@rdfjs/types'
import { SaxesParser } from 'saxes'
import { DataFactory } from 'rdf-data-factory'
import { Store } from 'n3'
import { isomorphic } from 'rdf-isomorphic'
import { RDFNS, RS, all, one, readRdf, readText } from './w3c-suite.js'

const df = new DataFactory()
const XSD = 'http://www.w3.org/2001/XMLSchema#'
const NUMERIC = new Set(['integer', 'decimal', 'float', 'double', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'nonPositiveInteger', 'negativeInteger', 'positiveInteger', 'unsignedInt', 'unsignedLong', 'unsignedShort', 'unsignedByte'].map(x => XSD + x))

export type Row = Map<string, RDF.Term>
export type Expected =
  | { kind: 'bindings', variables: string[], rows: Row[], indexed: boolean }
  | { kind: 'boolean', value: boolean }
  | { kind: 'graph', quads: RDF.Quad[] }

export function readExpected (iri: string): Expected {
  if (iri.endsWith('.srx')) return parseSrx(readText(iri))
  if (iri.endsWith('.srj')) return parseSrj(readText(iri))
  if (iri.endsWith('.tsv')) return parseTsv(readText(iri))
  if (iri.endsWith('.csv')) return parseCsv(readText(iri))
  const quads = readRdf(iri)
  const store = new Store(quads)
  const rs = store.getSubjects(RDFNS + 'type', RS + 'ResultSet', null)[0]
  if (rs === undefined) return { kind: 'graph', quads }
  const bool = one(store, rs, RS + 'boolean')
  if (bool !== undefined) return { kind: 'boolean', value: bool.value === 'true' }
  const variables = all(store, rs, RS + 'resultVariable').map(v => v.value)
  let indexed = false
  const rows = all(store, rs, RS + 'solution').map(sol => {
    const row: Row = new Map()
    for (const b of all(store, sol, RS + 'binding')) {
      row.set(one(store, b, RS + 'variable')!.value, one(store, b, RS + 'value')!)
    }
    const index = one(store, sol, RS + 'index')
    if (index !== undefined) indexed = true
    return { row, index: index === undefined ? 0 : Number(index.value) }
  }).sort((a, b) => a.index - b.index).map(x => x.row)
  return { kind: 'bindings', variables, rows, indexed }
}

function parseSrx (text: string): Expected {
  const parser = new SaxesParser()
  const variables: string[] = []
  const rows: Row[] = []
  let boolean: boolean | undefined
  let row: Row | undefined
  let name: string | undefined
  let textBuf = ''
  let lit: { lang?: string, datatype?: string } | undefined
  const stack: string[] = []
  const tripleStack: RDF.Term[][] = []
  const put = (t: RDF.Term): void => {
    if (tripleStack.length > 0) tripleStack[tripleStack.length - 1]!.push(t)
    else if (row !== undefined && name !== undefined) row.set(name, t)
  }
  parser.on('opentag', (tag) => {
    stack.push(tag.name)
    textBuf = ''
    const attrs = tag.attributes as Record<string, string>
    switch (tag.name) {
      case 'variable': variables.push(attrs.name!); break
      case 'result': row = new Map(); break
      case 'binding': name = attrs.name; break
      case 'literal': lit = { lang: attrs['xml:lang'], datatype: attrs.datatype }; break
      case 'triple': tripleStack.push([]); break
    }
  })
  parser.on('text', (t) => { textBuf += t })
  parser.on('closetag', (tag) => {
    stack.pop()
    switch (tag.name) {
      case 'uri': put(df.namedNode(textBuf)); break
      case 'bnode': put(df.blankNode(textBuf)); break
      case 'literal': put(df.literal(textBuf, lit?.lang ?? (lit?.datatype !== undefined ? df.namedNode(lit.datatype) : undefined))); break
      case 'triple': { const [s, p, o] = tripleStack.pop()! as [RDF.Quad_Subject, RDF.Quad_Predicate, RDF.Quad_Object]; put(df.quad(s, p, o)); break }
      case 'result': rows.push(row!); row = undefined; break
      case 'boolean': boolean = textBuf.trim() === 'true'; break
    }
    textBuf = ''
  })
  parser.write(text).close()
  if (boolean !== undefined) return { kind: 'boolean', value: boolean }
  return { kind: 'bindings', variables, rows, indexed: false }
}

function jsonTerm (j: Record<string, unknown>): RDF.Term {
  switch (j.type) {
    case 'uri': return df.namedNode(j.value as string)
    case 'bnode': return df.blankNode(j.value as string)
    case 'triple': {
      const v = j.value as Record<string, Record<string, unknown>>
      return df.quad(jsonTerm(v.subject!) as RDF.Quad_Subject, jsonTerm(v.predicate!) as RDF.Quad_Predicate, jsonTerm(v.object!) as RDF.Quad_Object)
    }
    default: {
      const lang = j['xml:lang'] as string | undefined
      const dt = j.datatype as string | undefined
      return df.literal(j.value as string, lang ?? (dt !== undefined ? df.namedNode(dt) : undefined))
    }
  }
}

function parseSrj (text: string): Expected {
  const j = JSON.parse(text) as { head: { vars?: string[] }, boolean?: boolean, results?: { bindings: Array<Record<string, Record<string, unknown>>> } }
  if (j.boolean !== undefined) return { kind: 'boolean', value: j.boolean }
  const rows = (j.results?.bindings ?? []).map(b => new Map(Object.entries(b).map(([k, v]) => [k, jsonTerm(v)])))
  return { kind: 'bindings', variables: j.head.vars ?? [], rows, indexed: false }
}

/** One TSV field in Turtle term syntax. */
export function parseTsvTerm (s: string): RDF.Term | undefined {
  if (s === '') return undefined
  if (s.startsWith('<')) return df.namedNode(s.slice(1, -1))
  if (s.startsWith('_:')) return df.blankNode(s.slice(2))
  if (s.startsWith('"')) {
    const end = s.lastIndexOf('"')
    const value = s.slice(1, end).replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c)
    const rest = s.slice(end + 1)
    if (rest.startsWith('@')) return df.literal(value, rest.slice(1))
    if (rest.startsWith('^^')) return df.literal(value, df.namedNode(rest.slice(3, -1)))
    return df.literal(value)
  }
  if (s === 'true' || s === 'false') return df.literal(s, df.namedNode(XSD + 'boolean'))
  if (/^[+-]?\d+$/.test(s)) return df.literal(s, df.namedNode(XSD + 'integer'))
  if (/^[+-]?\d*\.\d+$/.test(s)) return df.literal(s, df.namedNode(XSD + 'decimal'))
  return df.literal(s, df.namedNode(XSD + 'double'))
}

function parseTsv (text: string): Expected {
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/)
  const variables = lines[0]!.split('\t').map(v => v.replace(/^[?$]/, ''))
  const rows = lines.slice(1).map(line => {
    const row: Row = new Map()
    line.split('\t').forEach((f, i) => { const t = parseTsvTerm(f); if (t !== undefined) row.set(variables[i]!, t) })
    return row
  })
  return { kind: 'bindings', variables, rows, indexed: false }
}

/** CSV rows as lexical strings (CSV loses term types); blank nodes are `_:x`. */
export function parseCsvRows (text: string): { header: string[], rows: string[][] } {
  const records: string[][] = []
  let field = ''; let record: string[] = []; let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { record.push(field); field = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      record.push(field); records.push(record); record = []; field = ''
    } else field += c
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record) }
  return { header: records[0] ?? [], rows: records.slice(1) }
}

function parseCsv (text: string): Expected {
  const { header, rows } = parseCsvRows(text)
  return {
    kind: 'bindings',
    variables: header,
    rows: rows.map(r => new Map(r.flatMap((f, i) => f === '' ? [] : [[header[i]!, f.startsWith('_:') ? df.blankNode(f.slice(2)) : df.literal(f)] as [string, RDF.Term]]))),
    indexed: false
  }
}

// ---- comparison ----

/** Canonical key of a non-blank term for comparison (see the module comment). */
export function normalKey (t: RDF.Term): string {
  if (t.termType === 'Literal') {
    if (t.language !== '') return `"${t.value}"@${t.language.toLowerCase()}`
    const dt = t.datatype.value
    if (NUMERIC.has(dt)) {
      const v = Number(t.value.trim().replace(/^\+/, '').replace(/INF$/, 'Infinity'))
      if (!Number.isNaN(v) || t.value === 'NaN') return `"${String(v)}"^^<${dt}>`
    }
    return `"${t.value}"^^<${dt}>`
  }
  if (t.termType === 'Quad') return `<<${normalKey(t.subject)} ${normalKey(t.predicate)} ${normalKey(t.object)}>>`
  return t.termType + ':' + t.value
}

function hasBlank (t: RDF.Term): boolean {
  return t.termType === 'BlankNode' || (t.termType === 'Quad' && (hasBlank(t.subject) || hasBlank(t.object)))
}

function rowKey (r: Row): string {
  return [...r.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => k + '=' + normalKey(v)).join('|')
}

type Mapping = { fwd: Map<string, string>, rev: Map<string, string> }

function termMatches (e: RDF.Term, a: RDF.Term, m: Mapping, log: string[]): boolean {
  if (e.termType === 'BlankNode') {
    if (a.termType !== 'BlankNode') return false
    const f = m.fwd.get(e.value); const r = m.rev.get(a.value)
    if (f !== undefined || r !== undefined) return f === a.value && r === e.value
    m.fwd.set(e.value, a.value); m.rev.set(a.value, e.value); log.push(e.value)
    return true
  }
  if (e.termType === 'Quad') {
    return a.termType === 'Quad' && termMatches(e.subject, a.subject, m, log) && termMatches(e.predicate, a.predicate, m, log) && termMatches(e.object, a.object, m, log)
  }
  return normalKey(e) === normalKey(a)
}

function rowMatches (e: Row, a: Row, m: Mapping, log: string[]): boolean {
  if (e.size !== a.size) return false
  for (const [k, v] of e) {
    const av = a.get(k)
    if (av === undefined || !termMatches(v, av, m, log)) return false
  }
  return true
}

function undo (m: Mapping, log: string[], to: number): void {
  while (log.length > to) { const e = log.pop()!; const a = m.fwd.get(e)!; m.fwd.delete(e); m.rev.delete(a) }
}

/** Multiset equality of solutions, blank nodes up to one bijection. */
export function sameSolutions (expected: Row[], actual: Row[]): boolean {
  if (expected.length !== actual.length) return false
  const groundCounts = new Map<string, number>()
  const blankExpected: Row[] = []; const blankActual: Row[] = []
  for (const r of expected) {
    if ([...r.values()].some(hasBlank)) blankExpected.push(r)
    else { const k = rowKey(r); groundCounts.set(k, (groundCounts.get(k) ?? 0) + 1) }
  }
  for (const r of actual) {
    if ([...r.values()].some(hasBlank)) { blankActual.push(r); continue }
    const k = rowKey(r); const n = groundCounts.get(k)
    if (n === undefined || n === 0) return false
    groundCounts.set(k, n - 1)
  }
  if (blankExpected.length !== blankActual.length) return false
  const m: Mapping = { fwd: new Map(), rev: new Map() }
  const log: string[] = []
  const used = new Array<boolean>(blankActual.length).fill(false)
  let budget = 200_000
  const search = (i: number): boolean => {
    if (i === blankExpected.length) return true
    if (--budget < 0) return false
    for (let j = 0; j < blankActual.length; j++) {
      if (used[j] === true) continue
      const mark = log.length
      if (rowMatches(blankExpected[i]!, blankActual[j]!, m, log)) {
        used[j] = true
        if (search(i + 1)) return true
        used[j] = false
      }
      undo(m, log, mark)
    }
    return false
  }
  return search(0)
}

/** Under ORDER BY: the sequence of sort-key values must agree row by row. */
export function sameOrder (expected: Row[], actual: Row[], keys: string[]): boolean {
  for (let i = 0; i < expected.length; i++) {
    for (const k of keys) {
      const e = expected[i]!.get(k); const a = actual[i]?.get(k)
      if (e === undefined || a === undefined) { if (e !== a) return false; continue }
      if (e.termType === 'BlankNode' && a.termType === 'BlankNode') continue
      if (normalKey(e) !== normalKey(a)) return false
    }
  }
  return true
}

/** REDUCED: the same distinct solutions, each at most as often as expected. */
export function laxSameSolutions (expected: Row[], actual: Row[]): boolean {
  const e = new Map<string, number>(); for (const r of expected) e.set(rowKey(r), (e.get(rowKey(r)) ?? 0) + 1)
  const seen = new Set<string>()
  for (const r of actual) {
    const k = rowKey(r)
    if (!e.has(k)) return false
    seen.add(k)
  }
  return seen.size === e.size && actual.length <= expected.length
}

function normalizeQuad (q: RDF.Quad): RDF.Quad {
  const lit = (t: RDF.Term): RDF.Term => {
    if (t.termType !== 'Literal') return t
    if (t.language !== '') return df.literal(t.value, t.language.toLowerCase())
    if (NUMERIC.has(t.datatype.value)) { const v = Number(t.value); if (!Number.isNaN(v)) return df.literal(String(v), t.datatype) }
    return t
  }
  return df.quad(q.subject, q.predicate, lit(q.object) as RDF.Quad_Object, q.graph)
}

export function sameGraph (expected: RDF.Quad[], actual: RDF.Quad[]): boolean {
  const dedupe = (qs: RDF.Quad[]): RDF.Quad[] => {
    const m = new Map<string, RDF.Quad>()
    for (const q of qs.map(normalizeQuad)) m.set([q.subject, q.predicate, q.object, q.graph].map(t => t.termType + t.value + (t.termType === 'Literal' ? t.datatype.value + '@' + t.language : '')).join(' '), q)
    return [...m.values()]
  }
  return isomorphic(dedupe(expected), dedupe(actual))
}
