/**
 * SPARQL 1.1 Query Results CSV and TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/).
 * CSV is lossy by design (lexical forms only, blank nodes as _:label); TSV keeps
 * terms in Turtle/N-Triples syntax, with plain numbers for xsd:integer, decimal and
 * double in their short forms as the spec allows.
 */
import type * as RDF from '@rdfjs/types'
import type { BindingsResult } from '../eval/index.js'
import { xsd } from '../terms.js'

function csvField (t: RDF.Term | undefined): string {
  if (t === undefined) return ''
  const v = t.termType === 'BlankNode' ? '_:' + t.value : t.value
  return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v
}

export async function * writeResultsCsv (result: BindingsResult): AsyncIterable<string> {
  const vars = result.variables.map(v => v.value)
  yield vars.join(',') + '\r\n'
  for await (const s of result) yield vars.map(v => csvField(s.get(v))).join(',') + '\r\n'
}

function escapeString (s: string): string {
  return s.replace(/[\\"\n\r\t]/g, c => c === '\\' ? '\\\\' : c === '"' ? '\\"' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')
}

export function termToNTriples (t: RDF.Term): string {
  switch (t.termType) {
    case 'NamedNode': return `<${t.value}>`
    case 'BlankNode': return `_:${t.value}`
    case 'Literal':
      if (t.language !== '') return `"${escapeString(t.value)}"@${t.language}`
      if (t.datatype.value === xsd.string) return `"${escapeString(t.value)}"`
      return `"${escapeString(t.value)}"^^<${t.datatype.value}>`
    case 'Quad': return `<< ${termToNTriples(t.subject)} ${termToNTriples(t.predicate)} ${termToNTriples(t.object)} >>`
    default: return ''
  }
}

function tsvField (t: RDF.Term | undefined): string {
  if (t === undefined) return ''
  if (t.termType === 'Literal' && t.language === '') {
    const dt = t.datatype.value
    if (dt === xsd.integer && /^[+-]?\d+$/.test(t.value)) return t.value
    if (dt === xsd.decimal && /^[+-]?\d*\.\d+$/.test(t.value)) return t.value
    if (dt === xsd.double && /^[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+$/.test(t.value)) return t.value
    if (dt === xsd.boolean && (t.value === 'true' || t.value === 'false')) return t.value
  }
  return termToNTriples(t)
}

export async function * writeResultsTsv (result: BindingsResult): AsyncIterable<string> {
  const vars = result.variables.map(v => v.value)
  yield vars.map(v => '?' + v).join('\t') + '\n'
  for await (const s of result) yield vars.map(v => tsvField(s.get(v))).join('\t') + '\n'
}
