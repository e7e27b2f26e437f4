/**
 * SPARQL Query Results XML Format (https://www.w3.org/TR/rdf-sparql-XMLres/).
 */
import type * as RDF from '@rdfjs/types'
import type { BindingsResult, BooleanResult } from '../eval/index.js'
import { xsd } from '../terms.js'

export function escapeXml (s: string): string {
  return s.replace(/[&<>"]/g, c => c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;')
}

function termToXml (t: RDF.Term): string {
  switch (t.termType) {
    case 'NamedNode': return `<uri>${escapeXml(t.value)}</uri>`
    case 'BlankNode': return `<bnode>${escapeXml(t.value)}</bnode>`
    case 'Literal':
      if (t.language !== '') return `<literal xml:lang="${escapeXml(t.language)}">${escapeXml(t.value)}</literal>`
      if (t.datatype.value === xsd.string) return `<literal>${escapeXml(t.value)}</literal>`
      return `<literal datatype="${escapeXml(t.datatype.value)}">${escapeXml(t.value)}</literal>`
    case 'Quad':
      return `<triple><subject>${termToXml(t.subject)}</subject><predicate>${termToXml(t.predicate)}</predicate><object>${termToXml(t.object)}</object></triple>`
    default: throw new TypeError(`cannot serialize a ${t.termType} in results`)
  }
}

const HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'

export async function * writeResultsXml (result: BindingsResult | BooleanResult): AsyncIterable<string> {
  if (result.type === 'boolean') { yield `${HEAD}<head/>\n<boolean>${String(result.value)}</boolean>\n</sparql>\n`; return }
  yield HEAD + '<head>' + result.variables.map(v => `<variable name="${escapeXml(v.value)}"/>`).join('') + '</head>\n<results>\n'
  for await (const s of result) {
    let row = '<result>'
    for (const [k, t] of s) row += `<binding name="${escapeXml(k)}">${termToXml(t)}</binding>`
    yield row + '</result>\n'
  }
  yield '</results>\n</sparql>\n'
}
