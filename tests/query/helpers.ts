/** Shared test helpers: a MemorySource from Turtle, and results as plain records. */
import type * as RDF from '@rdfjs/types'
import { Parser } from 'n3'
import { MemorySource, executeQuery, type QueryOptions } from '../../query/index.js'

export function sourceFrom (turtle: string): MemorySource {
  return new MemorySource(new Parser({ format: 'application/trig' }).parse(turtle) as RDF.Quad[])
}

export function show (t: RDF.Term): string {
  switch (t.termType) {
    case 'NamedNode': return `<${t.value}>`
    case 'BlankNode': return '_:'
    case 'Literal':
      if (t.language !== '') return `"${t.value}"@${t.language}`
      if (t.datatype.value === 'http://www.w3.org/2001/XMLSchema#string') return `"${t.value}"`
      return `"${t.value}"^^${t.datatype.value.replace('http://www.w3.org/2001/XMLSchema#', 'xsd:')}`
    default: return t.value
  }
}

export async function select (source: MemorySource, query: string, options?: QueryOptions): Promise<Array<Record<string, string>>> {
  const result = await executeQuery(source, query, options)
  if (result.type !== 'bindings') throw new Error(`expected bindings, got ${result.type}`)
  const rows: Array<Record<string, string>> = []
  for await (const s of result) rows.push(Object.fromEntries([...s].map(([k, v]) => [k, show(v)])))
  return rows
}
