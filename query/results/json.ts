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

export async function * writeResultsJson (result: BindingsResult | BooleanResult): AsyncIterable<string> {
  if (result.type === 'boolean') { yield JSON.stringify({ head: {}, boolean: result.value }) + '\n'; return }
  yield `{"head":{"vars":${JSON.stringify(result.variables.map(v => v.value))}},"results":{"bindings":[`
  let first = true
  for await (const s of result) {
    const row: Record<string, unknown> = {}
    for (const [k, t] of s) row[k] = termToJson(t)
    yield (first ? '\n' : ',\n') + JSON.stringify(row)
    first = false
  }
  yield '\n]}}\n'
}
