/**
 * Solutions as an aligned text table for people: IRIs shortened with the query's
 * prefixes (and a few standard ones), literals as in Turtle.
 */
import type { RDF, Solution } from '../index.js'
import { counted } from './counts.js'

const STANDARD_PREFIXES: Record<string, string> = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  owl: 'http://www.w3.org/2002/07/owl#'
}

const XSD = STANDARD_PREFIXES.xsd
const LOCAL_NAME = /^[A-Za-z_][\w.-]*$|^$/

export class TermFormatter {
  private readonly prefixes: Array<[string, string]>

  constructor (prefixes: Record<string, string> = {}) {
    // Longest namespace first, so the most specific prefix wins.
    this.prefixes = Object.entries({ ...STANDARD_PREFIXES, ...prefixes }).sort((a, b) => b[1].length - a[1].length)
  }

  iri (iri: string): string {
    for (const [prefix, ns] of this.prefixes) {
      if (iri.startsWith(ns) && LOCAL_NAME.test(iri.slice(ns.length))) return `${prefix}:${iri.slice(ns.length)}`
    }
    return `<${iri}>`
  }

  term (term: RDF.Term | undefined): string {
    if (term === undefined) return ''
    switch (term.termType) {
      case 'NamedNode': return this.iri(term.value)
      case 'BlankNode': return `_:${term.value}`
      case 'Literal': {
        const lexical = JSON.stringify(term.value)
        if (term.language !== '') return `${lexical}@${term.language}`
        const datatype = term.datatype.value
        if (datatype === XSD + 'string') return lexical
        if ((datatype === XSD + 'integer' || datatype === XSD + 'decimal' || datatype === XSD + 'boolean') && /^[+-]?[\w.]+$/.test(term.value)) return term.value
        return `${lexical}^^${this.iri(datatype)}`
      }
      default: return term.value
    }
  }
}

/** Renders the table; `rows` are read in full to size the columns. */
export function renderTable (variables: string[], rows: Solution[], format: TermFormatter): string {
  const cells = rows.map(row => variables.map(v => format.term(row.get(v))))
  const header = variables.map(v => '?' + v)
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map(r => r[i].length)))
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i])).join(' | ').trimEnd()
  const rule = widths.map(w => '-'.repeat(w)).join('-+-')
  const body = cells.map(line)
  const count = counted(rows.length, 'solution')
  return [line(header), rule, ...body, count].join('\n') + '\n'
}
