/**
 * SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
 * written as a stream of text chunks, one per solution.
 */
import type * as RDF from '@rdfjs/types'
import type { BindingsResult, BooleanResult } from '../eval/index.js'
import { xsd } from '../terms.js'

export function termToJson (t: RDF.Term): Record<string, unknown> {
  switch (t.termType) {
    case 'NamedNode': return { type: 'uri', value: t.value }
    case 'BlankNode': return { type: 'bnode', value: t.value }
    case 'Literal':
      if (t.language !== '') return { type: 'literal', value: t.value, 'xml:lang': t.language }
      if (t.datatype.value === xsd.string) return { type: 'literal', value: t.value }
      return { type: 'literal', value: t.value, datatype: t.datatype.value }
    case 'Quad': return { type: 'triple', value: { subject: termToJson(t.subject), predicate: termToJson(t.predicate), object: termToJson(t.object) } }
    default: throw new TypeError(`cannot serialize a ${t.termType} in results`)
  }
}

/**
 * One term as JSON text, written directly: the same text as JSON.stringify(termToJson(t)),
 * without building an object per term (a large result spends most of its time here).
 */
export function termJsonText (t: RDF.Term): string {
  switch (t.termType) {
    case 'NamedNode': return `{"type":"uri","value":${JSON.stringify(t.value)}}`
    case 'BlankNode': return `{"type":"bnode","value":${JSON.stringify(t.value)}}`
    case 'Literal':
      if (t.language !== '') return `{"type":"literal","value":${JSON.stringify(t.value)},"xml:lang":${JSON.stringify(t.language)}}`
      if (t.datatype.value === xsd.string) return `{"type":"literal","value":${JSON.stringify(t.value)}}`
      return `{"type":"literal","value":${JSON.stringify(t.value)},"datatype":${JSON.stringify(t.datatype.value)}}`
    default: return JSON.stringify(termToJson(t))
  }
}

export async function * writeResultsJson (result: BindingsResult | BooleanResult): AsyncIterable<string> {
  if (result.type === 'boolean') { yield JSON.stringify({ head: {}, boolean: result.value }) + '\n'; return }
  yield `{"head":{"vars":${JSON.stringify(result.variables.map(v => v.value))}},"results":{"bindings":[`
  const keys = new Map<string, string>()
  const keyText = (k: string): string => {
    let text = keys.get(k)
    if (text === undefined) keys.set(k, text = JSON.stringify(k) + ':')
    return text
  }
  let first = true
  for await (const s of result) {
    let row = first ? '\n{' : ',\n{'
    let comma = false
    for (const [k, t] of s) {
      row += (comma ? ',' : '') + keyText(k) + termJsonText(t)
      comma = true
    }
    yield row + '}'
    first = false
  }
  yield '\n]}}\n'
}
